package collector

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

// ReplayOptions tune Replay. Zero values take the defaults.
type ReplayOptions struct {
	// BatchLines is how many lines go into one insert. Default 10000.
	BatchLines int
	// Name labels the input in logs (a file name, or "-"). Default "input".
	Name string
	// Logger receives progress every few seconds. Default: discard.
	Logger *slog.Logger
	// Metrics may be nil.
	Metrics *Metrics
}

// InvalidLine is a rejected line of a replayed file.
type InvalidLine struct {
	Line   int64  `json:"line"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// ReplayResult counts a replay.
type ReplayResult struct {
	Lines      int64         `json:"lines"`
	Loaded     int           `json:"loaded"`
	Duplicates int           `json:"duplicates"`
	Invalid    []InvalidLine `json:"invalid"`
}

// Add accumulates another file's result.
func (r *ReplayResult) Add(o ReplayResult) {
	r.Lines += o.Lines
	r.Loaded += o.Loaded
	r.Duplicates += o.Duplicates
	r.Invalid = append(r.Invalid, o.Invalid...)
}

// Replay loads CloudEvents JSONL (one event per line) through the same
// decode, validate, dedupe and insert path as the Kafka collector. Lines are
// batched; each batch is identified by a hash of its bytes and its line
// numbers, so replaying the same file again loads nothing twice (every valid
// line then counts as a duplicate). Blank lines are ignored.
func Replay(ctx context.Context, in *Ingester, r io.Reader, o ReplayOptions) (ReplayResult, error) {
	if o.BatchLines <= 0 {
		o.BatchLines = 10000
	}
	if o.Name == "" {
		o.Name = "input"
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var res ReplayResult
	br := bufio.NewReaderSize(r, 1<<20)
	batch := make([]Message, 0, o.BatchLines)
	hash := sha256.New()
	var first int64
	lastLog := time.Now()
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rg := Range{Group: "replay", Topic: "replay:" + hex.EncodeToString(hash.Sum(nil))[:20], First: first, Last: batch[len(batch)-1].Offset, Source: o.Name}
		recorded, err := in.Recorded(ctx, rg.Group, rg.Topic, 0, rg.First)
		if err != nil {
			return err
		}
		done := len(recorded) > 0 && recorded[0].Last == rg.Last && recorded[0].Status == statusDone
		out, err := in.Ingest(ctx, &Flush{Parts: []Part{{Range: rg, Msgs: batch}}}, done)
		if err != nil {
			return err
		}
		res.Loaded += out.Loaded
		res.Duplicates += out.Duplicates
		for _, rej := range out.Rejected {
			res.Invalid = append(res.Invalid, InvalidLine{Line: rej.Offset, Reason: rej.Reason, Detail: rej.Detail})
		}
		batch = make([]Message, 0, o.BatchLines) // the flush may keep the old one's messages
		hash.Reset()
		if time.Since(lastLog) > 2*time.Second {
			log.Info("replaying", "input", o.Name, "lines", res.Lines, "loaded", res.Loaded, "duplicates", res.Duplicates, "invalid", len(res.Invalid))
			lastLog = time.Now()
		}
		return nil
	}
	for {
		line, err := readLine(br, schemas.MaxEventBytes+1)
		if len(line) > 0 {
			res.Lines++
			v := bytes.TrimRight(line, "\r\n")
			if len(bytes.TrimSpace(v)) > 0 {
				if len(batch) == 0 {
					first = res.Lines
				}
				batch = append(batch, Message{Offset: res.Lines, Value: v})
				hash.Write(line)
				if len(batch) >= o.BatchLines {
					if ferr := flush(); ferr != nil {
						return res, ferr
					}
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("cannot read %s after line %d: %w", o.Name, res.Lines, err)
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	return res, nil
}

// readLine reads one line (with its newline) and keeps at most max bytes of
// it: a line longer than any valid event is rejected as too_large on those,
// and the rest is read past without holding it.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if room := max - len(line); room > 0 {
			line = append(line, chunk[:min(len(chunk), room)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(line) == max && len(chunk) > 0 && chunk[len(chunk)-1] == '\n' && line[len(line)-1] != '\n' {
			line = append(line, '\n')
		}
		return line, err
	}
}
