//go:build !nochdb

package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// QueryRaw hands query parameters to {name:Type} in ClickHouse's escaped
// text form, as the HTTP interface does: `\t` is a tab, `\N` is NULL, a
// quote needs no escaping; and it returns the engine's output as written.
func TestQueryRawPassesEscapedParametersAsTheHTTPInterfaceDoes(t *testing.T) {
	e := storetest.NewEmbedded(t)
	out, err := e.QueryRaw(context.Background(),
		"SELECT {s:String} = concat('a', char(9), 'b') AS tab, {q:String} AS quote, isNull({n:Nullable(String)}) AS null, {a:Array(String)} AS arr, currentDatabase() = {db:String} AS db",
		map[string]string{"s": `a\tb`, "q": `it's`, "n": `\N`, "a": `['x','y']`, "db": e.Database()}, "JSONEachRow")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"tab":1,"quote":"it's","null":1,"arr":["x","y"],"db":1}`
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestQueryRawRefusesParameterNamesThatAreNotIdentifiers(t *testing.T) {
	e := storetest.NewEmbedded(t)
	for _, name := range []string{"", "a b", "x = 1; DROP TABLE calls_15m; SET param_y", "1a"} {
		if _, err := e.QueryRaw(context.Background(), "SELECT 1", map[string]string{name: "1"}, "TSV"); err == nil || !strings.Contains(err.Error(), "not an identifier") {
			t.Errorf("parameter name %q: err %v, want a refusal", name, err)
		}
	}
}

// chDB puts what a failed statement wrote (here the first row before the
// timeout) in front of the next statement's output. QueryRaw's output
// never starts with what an earlier statement left, and what its own
// failed statement left does not reach the store's next query.
func TestQueryRawOutputIsItsOwnAfterAFailure(t *testing.T) {
	e := storetest.NewEmbedded(t)
	ctx := context.Background()
	const slow = "SELECT sleepEachRow(0.6) FROM numbers(3) SETTINGS max_block_size = 1, max_execution_time = 1"

	if err := e.Exec(ctx, slow, nil); err == nil || !strings.Contains(err.Error(), "TIMEOUT_EXCEEDED") {
		t.Fatalf("slow statement through Exec: %v, want a timeout", err)
	}
	out, err := e.QueryRaw(ctx, "SELECT 2", nil, "TSV")
	if err != nil || string(out) != "2\n" {
		t.Errorf("QueryRaw after a failed Exec: %q %v, want \"2\\n\"", out, err)
	}

	if _, err := e.QueryRaw(ctx, slow, nil, "TSV"); err == nil || !strings.Contains(err.Error(), "TIMEOUT_EXCEEDED") {
		t.Fatalf("slow statement through QueryRaw: %v, want a timeout", err)
	}
	var rows []string
	if err := e.Query(ctx, "SELECT 3 AS x", nil, func(row []byte) error {
		rows = append(rows, string(row))
		return nil
	}); err != nil || strings.Join(rows, ",") != `{"x":3}` {
		t.Errorf("Query after a failed QueryRaw: %q %v, want one row {\"x\":3}", rows, err)
	}
}
