package repocheck

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// brief is the name of the folder the project was briefed from. The
// patterns are built by concatenation so that this file does not name the
// folder itself.
const brief = "sha" + "red"

// briefPatterns are the ways a file can read or name the brief folder: a
// relative path out of the repository into it, its two subfolders as path
// text, and the same as filepath.Join arguments in Go.
var briefPatterns = []string{
	".." + "/" + brief,
	brief + "/" + "spec",
	brief + "/" + "scenarios",
	`"` + brief + `", "spec"`,
	`"` + brief + `", "scenarios"`,
}

// skipDirs are directories that hold no source: git metadata, the
// downloaded engine, and what the demo, tests and build leave behind.
var skipDirs = map[string]bool{".git": true, ".cache": true, "data": true, "out": true, "bin": true}

// moduleRoot finds the directory of go.mod, upwards from the test's
// working directory (the package directory).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find go.mod above the working directory")
		}
		dir = parent
	}
}

// file is one text file of the repository.
type file struct {
	rel  string // slash-separated path from the module root
	text string
}

// repoFiles returns the text files under root, leaving out skipDirs, the
// event files of testdata/ (recorded data, not text anyone reads) and
// binary files (a NUL byte in the first 8 KiB).
func repoFiles(t *testing.T, root string) []file {
	t.Helper()
	var out []file
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if skipDirs[d.Name()] && path != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil // a worktree's .git is a file
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "testdata/") && strings.HasSuffix(rel, ".jsonl") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b[:min(len(b), 8<<10)], 0) >= 0 {
			return nil
		}
		out = append(out, file{rel: rel, text: string(b)})
		return nil
	})
	if err != nil {
		t.Fatalf("cannot walk %q: %v", root, err)
	}
	if len(out) == 0 {
		t.Fatalf("no files found under %q", root)
	}
	return out
}

// briefMentions returns "line: text" for every line of text that holds
// one of briefPatterns.
func briefMentions(text string) []string {
	var out []string
	for i, line := range strings.Split(text, "\n") {
		for _, p := range briefPatterns {
			if strings.Contains(line, p) {
				out = append(out, strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
				break
			}
		}
	}
	return out
}

// TestNoBriefFolder: no file of the repository reads or names the folder
// the project was briefed from; everything it needs is inside (the
// reference scenarios in testdata/, the contract and definitions in docs/).
func TestNoBriefFolder(t *testing.T) {
	root := moduleRoot(t)
	var found []string
	for _, f := range repoFiles(t, root) {
		for _, m := range briefMentions(f.text) {
			found = append(found, f.rel+":"+m)
		}
	}
	if len(found) > 0 {
		t.Errorf("%d lines read or name the brief folder outside the repository; use testdata/ and docs/ instead:\n  %s",
			len(found), strings.Join(found, "\n  "))
	}
}

// TestBriefPatterns: the patterns catch the forms the tests and docs used
// before the scenarios and definitions moved into the repository, and not
// the word on its own.
func TestBriefPatterns(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`basicFile = "../../` + brief + `/scenarios/basic/events.jsonl"`, true},
		{`see ` + brief + `/spec/kpis.md`, true},
		{`[kpis.md](../` + brief + `/spec/kpis.md)`, true},
		{`filepath.Join("..", "..", "..", "` + brief + `", "scenarios", "basic")`, true},
		{`// Ingester is the store side of the collector, ` + brief + ` with replay`, false},
		{`see docs/kpis.md and testdata/basic/events.jsonl`, false},
	} {
		if got := len(briefMentions(tc.line)) > 0; got != tc.want {
			t.Errorf("briefMentions(%q) found %v, want %v", tc.line, got, tc.want)
		}
	}
}

// mdLink matches an inline Markdown link or image, [text](target "title"),
// and mdRef a reference definition, [label]: target.
var (
	mdLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	mdRef  = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s+<?([^\s>]+)>?`)
	// codeSpan is inline code, whose brackets are not links.
	codeSpan = regexp.MustCompile("`[^`]*`")
	scheme   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// link is one relative link of a Markdown file.
type link struct {
	line   int
	target string // as written, fragment included
}

// relativeLinks returns the links of a Markdown text that point into the
// repository: not URLs (http:, mailto:, …), not anchors of the page itself,
// and not inside fenced code blocks or code spans.
func relativeLinks(text string) []link {
	var out []link
	fenced := false
	for i, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		line = codeSpan.ReplaceAllString(line, "")
		var targets []string
		for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
		if m := mdRef.FindStringSubmatch(line); m != nil {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			if scheme.MatchString(target) || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "//") {
				continue
			}
			out = append(out, link{line: i + 1, target: target})
		}
	}
	return out
}

// TestDocLinks: every relative link in the Markdown files (README.md and
// docs/*.md among them) leads to a file or directory that exists inside
// the repository, so a reader never follows a link to nothing.
func TestDocLinks(t *testing.T) {
	root := moduleRoot(t)
	checked := map[string]bool{}
	var broken []string
	for _, f := range repoFiles(t, root) {
		if !strings.HasSuffix(f.rel, ".md") {
			continue
		}
		checked[f.rel] = true
		for _, l := range relativeLinks(f.text) {
			path, _, _ := strings.Cut(l.target, "#")
			path, _, _ = strings.Cut(path, "?")
			if path == "" {
				continue
			}
			where := f.rel + ":" + strconv.Itoa(l.line) + ": " + l.target
			abs := filepath.Join(root, filepath.FromSlash(filepath.Dir(f.rel)), filepath.FromSlash(path))
			if strings.HasPrefix(path, "/") {
				abs = filepath.Join(root, filepath.FromSlash(path))
			}
			if rel, err := filepath.Rel(root, abs); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				broken = append(broken, where+" (outside the repository)")
				continue
			}
			if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
				broken = append(broken, where+" (no such file)")
			} else if err != nil {
				broken = append(broken, where+" ("+err.Error()+")")
			}
		}
	}
	for _, must := range []string{"README.md", "docs/architecture.md", "docs/events.md", "docs/kpis.md", "testdata/README.md"} {
		if !checked[must] {
			t.Errorf("%s is missing: the repository's own documentation must be there", must)
		}
	}
	if len(broken) > 0 {
		t.Errorf("%d broken relative links in the documentation:\n  %s", len(broken), strings.Join(broken, "\n  "))
	}
}

// TestRelativeLinks: the link scanner finds links and images, and leaves
// out URLs, anchors and code.
func TestRelativeLinks(t *testing.T) {
	text := strings.Join([]string{
		"See [kpis](docs/kpis.md) and ![report](docs/report.png \"the report\").",
		"[web](https://example.com) [top](#top) [mail](mailto:a@example.com)",
		"`[not](a-link.md)`",
		"```",
		"[not](in-a-fence.md)",
		"```",
		"[ref]: testdata/README.md",
		"[anchored](architecture.md#exactly-once-in-effect)",
	}, "\n")
	var got []string
	for _, l := range relativeLinks(text) {
		got = append(got, strconv.Itoa(l.line)+" "+l.target)
	}
	want := []string{"1 docs/kpis.md", "1 docs/report.png", "7 testdata/README.md", "8 architecture.md#exactly-once-in-effect"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("relativeLinks found\n  %q\nwant\n  %q", got, want)
	}
}
