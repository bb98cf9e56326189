package store

import (
	"context"
	"fmt"
	"regexp"
)

// Retention kinds: which option of SchemaOptions bounds a table's rows.
const (
	retainRaw     = "raw"     // the raw event tables: RawTTLDays
	retainDerived = "derived" // rollups, derived tables, plans: DerivedTTLDays
	retainState   = "state"   // ingest bookkeeping and the dlq table: StateTTLDays
	retainDedup   = "dedup"   // event_ids: DedupDays
)

// retained lists every table with a retention and the column its age is
// measured by. Tables not listed (the roster, customers, watermarks) keep
// every row: the KPIs need their whole history.
var retained = []struct{ table, column, kind string }{
	{"calls", "ts", retainRaw},
	{"email_received", "received_at", retainRaw},
	{"email_replied", "replied_at", retainRaw},
	{"orders", "entered_at", retainRaw},
	{"callback_requested", "requested_at", retainRaw},
	{"callback_attempted", "attempted_at", retainRaw},
	{"callback_cancelled", "cancelled_at", retainRaw},
	{"agent_states", "at", retainRaw},
	{"calls_15m", "interval_start", retainDerived},
	{"emails_15m", "interval_start", retainDerived},
	{"orders_15m", "interval_start", retainDerived},
	{"callback_status", "requested_at", retainDerived},
	{"email_first_reply", "received_at", retainDerived},
	{"staffed_15m", "interval_start", retainDerived},
	{"customer_poor_service", "until_at", retainDerived},
	{"capacity_plan", "plan_date", retainDerived},
	{"roster", "plan_date", retainDerived},
	{"roster_shifts", "plan_date", retainDerived},
	{"ingest_state", "updated_at", retainState},
	{"dlq", "received_at", retainState},
	{"dlq_forwarded", "forwarded_at", retainState},
	{"event_ids", "ingested_at", retainDedup},
}

func (o SchemaOptions) days(kind string) int {
	switch kind {
	case retainRaw:
		return o.RawTTLDays
	case retainDerived:
		return o.DerivedTTLDays
	case retainState:
		return o.StateTTLDays
	case retainDedup:
		return o.DedupDays
	}
	return 0
}

var ttlRe = regexp.MustCompile(` TTL (.*?)( SETTINGS |$)`)

// applyRetention sets each listed table's TTL to what o asks for — or
// removes it for 0 — when it differs from the table's: so changing a
// retention flag changes existing tables, not only new ones. Parts are not
// rewritten at once (materialize_ttl_after_modify = 0): rows expire at the
// next merges.
func applyRetention(ctx context.Context, s Store, o SchemaOptions) error {
	type table struct {
		Name   string `json:"name"`
		Engine string `json:"engine_full"`
	}
	tables, err := QueryAll[table](ctx, s, "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase()", nil)
	if err != nil {
		return fmt.Errorf("cannot read the tables' retention: %w", err)
	}
	current := map[string]string{}
	for _, t := range tables {
		ttl := ""
		if m := ttlRe.FindStringSubmatch(t.Engine); m != nil {
			ttl = m[1]
		}
		current[t.Name] = ttl
	}
	onCluster := ""
	if o.Cluster != "" {
		onCluster = " ON CLUSTER " + ident(o.Cluster)
	}
	for _, r := range retained {
		have, exists := current[r.table]
		if !exists {
			continue
		}
		n := o.days(r.kind)
		want := ""
		if n > 0 {
			want = fmt.Sprintf("toDateTime(%s) + toIntervalDay(%d)", r.column, n)
		}
		if have == want {
			continue
		}
		q := "ALTER TABLE " + ident(r.table) + onCluster + " REMOVE TTL"
		if want != "" {
			q = fmt.Sprintf("ALTER TABLE %s%s MODIFY TTL toDateTime(%s) + INTERVAL %d DAY SETTINGS materialize_ttl_after_modify = 0",
				ident(r.table), onCluster, ident(r.column), n)
		}
		if err := s.Exec(ctx, q, nil); err != nil {
			return fmt.Errorf("cannot set the retention of %s to %d days: %w", r.table, n, err)
		}
	}
	return nil
}
