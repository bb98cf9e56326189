package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockFile is the file in an embedded data directory that the process
// using it holds locked (flock), with who it is and where it serves. The
// engine locks the directory too, but its error ("Cannot lock file
// …/status") says nothing about who holds it or what to do instead.
const LockFile = "frontline.lock"

// Holder is the process that holds a data directory, as its lock file says.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
	// URL is where the holder answers /report, /lists and /plan ("" when it
	// serves none).
	URL string `json:"url,omitempty"`
}

// InUseError is returned when another process holds the data directory.
type InUseError struct {
	Dir    string
	Holder Holder
}

func (e *InUseError) Error() string {
	who := "another process"
	if e.Holder.PID > 0 {
		who = fmt.Sprintf("%s (pid %d)", e.Holder.Command, e.Holder.PID)
	}
	msg := fmt.Sprintf("data directory %q is in use by %s", e.Dir, who)
	if e.Holder.URL != "" {
		msg += " serving " + e.Holder.URL
	}
	return msg
}

// Is makes errors.Is(err, ErrDataDirInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrDataDirInUse }

type dirLock struct {
	f      *os.File
	holder Holder
}

// lockDir takes the directory's lock file, or reports who holds it.
func lockDir(dir, owner string) (*dirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open lock file %q: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			e := &InUseError{Dir: dir}
			if b, rerr := os.ReadFile(path); rerr == nil {
				_ = json.Unmarshal(b, &e.Holder)
			}
			return nil, e
		}
		return nil, fmt.Errorf("cannot lock %q: %w", path, err)
	}
	l := &dirLock{f: f, holder: Holder{PID: os.Getpid(), Command: owner, Since: time.Now().UTC().Truncate(time.Second)}}
	if err := l.write(); err != nil {
		l.release()
		return nil, err
	}
	return l, nil
}

func (l *dirLock) advertise(url string) error {
	l.holder.URL = url
	return l.write()
}

func (l *dirLock) write() error {
	b, err := json.Marshal(l.holder)
	if err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("cannot write lock file: %w", err)
	}
	if _, err := l.f.WriteAt(append(b, '\n'), 0); err != nil {
		return fmt.Errorf("cannot write lock file: %w", err)
	}
	return nil
}

func (l *dirLock) release() {
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
