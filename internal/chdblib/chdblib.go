// Package chdblib finds libchdb.so, the embedded ClickHouse engine, before
// chdb-go's package initialiser tries to load it.
//
// chdb-go loads the library in an init function and panics when it is absent,
// which would greet a new user with a stack trace. Importing this package
// beside chdb-go sets CHDB_LIB_PATH to the library in the Makefile's cache
// (searched upwards from the working directory and from the executable) or
// stops the program with a one-line instruction instead.
//
// Initialisation order: Go initialises, at each step, the first package in
// import-path order whose imports are all initialised. This package imports
// only packages that os/exec imports too (os, path/filepath), so it is ready
// no later than os/exec and sorts before it; chdb-go's loader imports os/exec,
// so this package always runs first. TestMissingLibraryMessage guards that.
package chdblib

import (
	"os"
	"path/filepath"
)

// EnvVar names the variable chdb-go reads the library path from.
const EnvVar = "CHDB_LIB_PATH"

// CacheRel is where `make chdb` puts the library, relative to the repository.
const CacheRel = ".cache/chdb/libchdb.so"

// Path is the library in use, set by init.
var Path string

func init() {
	if p := os.Getenv(EnvVar); p != "" {
		if _, err := os.Stat(p); err != nil {
			fail(EnvVar + "=" + p + " does not exist")
		}
		Path = p
		return
	}
	p := find()
	if p == "" {
		fail("cannot find libchdb.so, the embedded ClickHouse")
	}
	Path = p
	os.Setenv(EnvVar, p)
}

// find looks for the Makefile's cache above the working directory and above
// the executable, then in the system library directory.
func find() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			p := filepath.Join(dir, CacheRel)
			if _, err := os.Stat(p); err == nil {
				return p
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	for _, p := range []string{"/usr/local/lib/libchdb.so", "/usr/lib/libchdb.so"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func fail(why string) {
	os.Stderr.WriteString("frontline: " + why + ".\n" +
		"  Run `make chdb` in the Frontline repository (it fetches @chdb/lib-linux-x64-gnu with npm),\n" +
		"  or set " + EnvVar + "=/path/to/libchdb.so, or use --dsn to reach a ClickHouse server.\n")
	os.Exit(3)
}
