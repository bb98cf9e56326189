// Package chdb binds libchdb.so, the embedded ClickHouse engine, and loads it
// when the first connection opens rather than when the program starts.
//
// The library is 560 MB and most commands never need it: --help, erlang,
// dashboards, migrate --print and everything given --dsn run on a machine
// without it. (The chdb-go bindings load the library in a package
// initialiser and panic when it is absent, which is why Frontline binds the
// engine's small C API itself, with purego, the same way they do.)
package chdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"
)

// CacheRel is where `make chdb` puts the library, relative to the
// repository root.
const CacheRel = ".cache/chdb/libchdb.so"

// ErrNotFound is returned when no libchdb.so was given or found.
var ErrNotFound = errors.New("cannot find libchdb.so, the embedded ClickHouse engine")

// Hint is what a user can do when the engine is missing.
const Hint = "run `make chdb` in the Frontline repository (it fetches @chdb/lib-linux-x64-gnu with npm), " +
	"set CHDB_LIB_PATH=/path/to/libchdb.so, or give --dsn to use a ClickHouse server"

// Find returns the library to load: path when it is set (it must exist),
// else the Makefile's cache in one of dirs or a directory above them, else
// the system library directories.
func Find(path string, dirs ...string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("%w: %q does not exist", ErrNotFound, path)
		}
		return path, nil
	}
	for _, dir := range dirs {
		for dir != "" {
			p := filepath.Join(dir, CacheRel)
			if _, err := os.Stat(p); err == nil {
				return p, nil
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
			return p, nil
		}
	}
	return "", ErrNotFound
}

// The C API of chdb.h (chDB ≥ 3): a connection is a pointer to a struct
// holding the engine's handle; a result is opaque.
type (
	cConnection struct{ internal unsafe.Pointer }
	cResult     struct{ internal unsafe.Pointer }
)

var api struct {
	mu     sync.Mutex
	path   string // the library loaded, "" until then
	handle uintptr

	connect     func(argc int, argv []*byte) **cConnection
	closeConn   func(conn **cConnection)
	query       func(conn *cConnection, query string, format string) *cResult
	queryBytes  func(conn *cConnection, query *byte, format string) *cResult
	destroy     func(res *cResult)
	buffer      func(res *cResult) *byte
	length      func(res *cResult) uintptr
	elapsed     func(res *cResult) float64
	rowsRead    func(res *cResult) uint64
	bytesRead   func(res *cResult) uint64
	resultError func(res *cResult) string
}

// Load loads the library at path (see Find) once per process; later calls
// with another path fail, as a process can hold one engine.
func Load(path string) error {
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.path != "" {
		if api.path != path {
			return fmt.Errorf("cannot load %q: the embedded ClickHouse is already loaded from %q", path, api.path)
		}
		return nil
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return fmt.Errorf("cannot load the embedded ClickHouse from %q: %w", path, err)
	}
	for name, fn := range map[string]any{
		"chdb_connect":              &api.connect,
		"chdb_close_conn":           &api.closeConn,
		"chdb_query":                &api.query,
		"chdb_query ":               &api.queryBytes, // the same function, taking the query in place
		"chdb_destroy_query_result": &api.destroy,
		"chdb_result_buffer":        &api.buffer,
		"chdb_result_length":        &api.length,
		"chdb_result_elapsed":       &api.elapsed,
		"chdb_result_rows_read":     &api.rowsRead,
		"chdb_result_bytes_read":    &api.bytesRead,
		"chdb_result_error":         &api.resultError,
	} {
		name = strings.TrimSpace(name)
		if _, err := purego.Dlsym(h, name); err != nil {
			return fmt.Errorf("cannot use the embedded ClickHouse from %q: symbol %s: %w (want chDB 3 or later)", path, name, err)
		}
		purego.RegisterLibFunc(fn, h, name)
	}
	api.handle, api.path = h, path
	return nil
}

// Loaded is the path of the loaded library, "" before Load.
func Loaded() string {
	api.mu.Lock()
	defer api.mu.Unlock()
	return api.path
}

// Conn is a connection to the engine on one data directory. It is not safe
// for concurrent use: callers serialise queries.
type Conn struct {
	c *cConnection
	h **cConnection
}

// Open loads the library at lib (once) and connects to the engine with its
// data in dir, which must exist.
func Open(lib, dir string) (*Conn, error) {
	if err := Load(lib); err != nil {
		return nil, err
	}
	if err := keepStdinFromEngine(); err != nil {
		return nil, err
	}
	argv := []string{"clickhouse", "--path=" + dir}
	cargv := make([]*byte, len(argv))
	bufs := make([][]byte, len(argv))
	for i, a := range argv {
		bufs[i] = append([]byte(a), 0)
		cargv[i] = &bufs[i][0]
	}
	var h **cConnection
	var perr any
	func() {
		defer func() { perr = recover() }()
		h = api.connect(len(cargv), cargv)
	}()
	runtime.KeepAlive(bufs)
	if perr != nil {
		return nil, fmt.Errorf("cannot start the embedded ClickHouse in %q: %v", dir, perr)
	}
	if h == nil || *h == nil {
		return nil, fmt.Errorf("cannot start the embedded ClickHouse in %q (is another process using it?)", dir)
	}
	return &Conn{c: *h, h: h}, nil
}

// keepStdinFromEngine gives the engine /dev/null as its standard input and
// the process's standard input a new descriptor, os.Stdin. The engine is
// clickhouse-local: when file descriptor 0 is a pipe with data, it takes that
// data for the input of every INSERT, which then fails ("both inlined and
// external data"), so `frontline replay -` could not load a line.
func keepStdinFromEngine() error {
	stdinOnce.Do(func() {
		// Descriptor 0 is open: the Go runtime opens /dev/null on a closed
		// standard descriptor at start-up.
		fd, err := syscall.Dup(0)
		if err != nil {
			stdinErr = fmt.Errorf("cannot keep standard input from the embedded ClickHouse: %w", err)
			return
		}
		null, err := os.Open(os.DevNull)
		if err == nil {
			err = syscall.Dup3(int(null.Fd()), 0, 0)
			null.Close()
		}
		if err != nil {
			syscall.Close(fd)
			stdinErr = fmt.Errorf("cannot keep standard input from the embedded ClickHouse: %w", err)
			return
		}
		syscall.CloseOnExec(fd)
		// The old os.Stdin stays referenced: its finalizer would close
		// descriptor 0, and the next file opened would take its place.
		engineStdin = os.Stdin
		os.Stdin = os.NewFile(uintptr(fd), "/dev/stdin")
	})
	return stdinErr
}

var (
	stdinOnce   sync.Once
	stdinErr    error
	engineStdin *os.File
)

// Result is the output of one query and what it read.
type Result struct {
	// Data is the output in the requested format (a copy, owned by the caller).
	Data []byte
	// RowsRead and BytesRead are what the query read from tables.
	RowsRead, BytesRead uint64
	// Elapsed is the engine's own timing.
	Elapsed time.Duration
}

// Query runs query (one or more statements separated by ';') and returns
// the output of the last one in format (a ClickHouse format name: TSV,
// JSONEachRow, Native, …).
func (c *Conn) Query(query, format string) (Result, error) {
	if c == nil || c.c == nil {
		return Result{}, errors.New("the embedded ClickHouse connection is closed")
	}
	return c.result(api.query(c.c, query, format))
}

// QueryBytes is Query for a large query built in a byte slice (an insert's
// rows): the engine reads it in place instead of a copy. query must not
// contain a NUL byte; QueryBytes appends the terminating one (in place when
// the slice has room).
func (c *Conn) QueryBytes(query []byte, format string) (Result, error) {
	if c == nil || c.c == nil {
		return Result{}, errors.New("the embedded ClickHouse connection is closed")
	}
	q := append(query, 0)
	res := api.queryBytes(c.c, &q[0], format)
	runtime.KeepAlive(q)
	return c.result(res)
}

func (c *Conn) result(res *cResult) (Result, error) {
	if res == nil {
		return Result{}, nil
	}
	defer api.destroy(res)
	if msg := api.resultError(res); msg != "" {
		return Result{}, errors.New(msg)
	}
	out := Result{
		RowsRead:  api.rowsRead(res),
		BytesRead: api.bytesRead(res),
		Elapsed:   time.Duration(api.elapsed(res) * float64(time.Second)),
	}
	if n := int(api.length(res)); n > 0 {
		if p := api.buffer(res); p != nil {
			out.Data = append([]byte(nil), unsafe.Slice(p, n)...)
		}
	}
	return out, nil
}

// Close ends the connection. The engine stays loaded in the process.
func (c *Conn) Close() {
	if c != nil && c.h != nil {
		api.closeConn(c.h)
		c.h, c.c = nil, nil
	}
}
