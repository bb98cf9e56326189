package collector_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// TestKcatProducer: kcat, an independent Kafka client (Debian package),
// produces to the embedded broker and the events arrive in ClickHouse.
func TestKcatProducer(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat is required (apt-get install kcat; `make test` installs it)")
	}
	s := storetest.New(t)
	kc := startBroker(t)
	var lines strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&lines, `c-%d|{"specversion":"1.0","id":"kcat-%d","source":"kcat","type":"cs.call.ended.v1","data":{"call_id":"c-%d","direction":"inbound","queue":"support","queued_at":"2026-11-02T09:00:00+01:00","answered_at":"2026-11-02T09:00:12+01:00","ended_at":"2026-11-02T09:05:00+01:00","talk_sec":270}}`+"\n", i, i, i)
	}
	lines.WriteString("c-x|{\"specversion\":\"1.0\",\"id\":\"kcat-bad\",\"source\":\"kcat\",\"type\":\"cs.call.ended.v1\",\"data\":{\"call_id\":\"c-x\"}}\n")
	cmd := exec.Command(kcat, "-b", strings.Join(kc.ListenAddrs(), ","), "-t", "cs.calls", "-P", "-K", "|")
	cmd.Stdin = strings.NewReader(lines.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	c := newCollector(t, s, kc.ListenAddrs(), "kcat", 1000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	got := waitFor(t, s, counts{Rows: 20, DLQ: 1}, time.Minute)
	cancel()
	<-done
	if got != (counts{Rows: 20, DLQ: 1}) {
		t.Fatalf("got %+v, want 20 rows and 1 DLQ entry", got)
	}
}
