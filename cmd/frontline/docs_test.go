package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docs/commands.md names every command and every one of its flags, in the
// command's own section or, for the flags many commands share (the store,
// retention), under Conventions: the reference cannot fall behind the code.
func TestCommandsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "commands.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, part := range strings.Split(string(b), "\n## ")[1:] {
		title, body, _ := strings.Cut(part, "\n")
		sections[strings.TrimSpace(title)] = body
	}
	common := map[string]bool{"config": true, "log-level": true, "print-config": true}
	conventions := sections["Conventions"]
	for _, c := range commands() {
		body, ok := sections["frontline "+c.name]
		if !ok {
			t.Errorf("docs/commands.md has no section \"## frontline %s\"", c.name)
			continue
		}
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.setup(fs, &config{})
		fs.VisitAll(func(f *flag.Flag) {
			if !common[f.Name] && !strings.Contains(body, "`--"+f.Name) && !strings.Contains(conventions, "`--"+f.Name) {
				t.Errorf("docs/commands.md, frontline %s: flag --%s is not described", c.name, f.Name)
			}
		})
	}
}
