package dashboards

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/alerting"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// GrafanaRequest is what Grafana and the ClickHouse plugin substitute into
// a query before it reaches ClickHouse: the time range, the panel's
// interval and the dashboard variables. With Expand it lets a test or a
// tool run the generated SQL the way Grafana would, against any store.
type GrafanaRequest struct {
	From, To time.Time
	// Interval is Grafana's $__interval (from the range and the panel's width).
	Interval time.Duration
	// Queues are the values of the queue variable; nil is "All".
	Queues []string
	// ChartSec is the dashboard's interval variable, ${interval}, in seconds.
	ChartSec int
}

var timeFilterRe = regexp.MustCompile(`\$__timeFilter\(([^()]+)\)`)

// Expand does what the plugin's macros (pkg/macros) and Grafana's template
// service do: $__timeFilter(col), $__fromTime, $__toTime, $__interval_s,
// ${queue:sqlstring} (the custom all value inserted as is), ${interval}.
func (r GrafanaRequest) Expand(sql string) string {
	from := fmt.Sprintf("toDateTime(%d)", r.From.Unix())
	to := fmt.Sprintf("toDateTime(%d)", r.To.Unix())
	sql = timeFilterRe.ReplaceAllString(sql, "$1 >= "+from+" AND $1 <= "+to)
	queue := "'__all'"
	if r.Queues != nil {
		q := make([]string, len(r.Queues))
		for i, v := range r.Queues {
			q[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		queue = strings.Join(q, ",")
	}
	return strings.NewReplacer(
		"$__fromTime", from,
		"$__toTime", to,
		"$__interval_s", fmt.Sprint(max(int(r.Interval.Seconds()), 1)),
		"${queue:sqlstring}", queue,
		"${interval}", fmt.Sprint(r.ChartSec),
	).Replace(sql)
}

// GrafanaQuery is one SQL text Grafana sends to ClickHouse for Frontline,
// with its macros unexpanded.
type GrafanaQuery struct {
	// Name says where it comes from: dashboard uid/panel title/refId, the
	// queue variable, or the alert rule's title.
	Name string
	SQL  string
	// Alert is set for an alert rule's query, which Grafana evaluates over
	// the rule's own window rather than a dashboard's range.
	Alert bool
}

// GrafanaQueries lists every ClickHouse query of the generated
// dashboards (panels and the queue variable) and Grafana alert rules.
func GrafanaQueries(c Config) ([]GrafanaQuery, error) {
	out := []GrafanaQuery{{Name: "queue variable", SQL: newGen(c).queueVariableSQL()}}
	ds, err := All(c)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		for _, p := range panels(d) {
			title := "(untitled)"
			if p.Title != nil {
				title = *p.Title
			}
			for _, q := range p.Targets {
				if ch, ok := q.(ClickHouseDataquery); ok {
					out = append(out, GrafanaQuery{Name: *d.Uid + "/" + title + "/" + ch.RefId, SQL: ch.RawSql})
				}
			}
		}
	}
	rules, err := GrafanaAlertRules(c)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		for _, q := range r.Data {
			if ch, ok := q.Model.(ClickHouseDataquery); ok {
				out = append(out, GrafanaQuery{Name: "alert " + r.Title + "/" + ruleRef(q), SQL: ch.RawSql, Alert: true})
			}
		}
	}
	return out, nil
}

func ruleRef(q alerting.Query) string {
	if q.RefId == nil {
		return ""
	}
	return *q.RefId
}

// panels are a dashboard's panels, those inside rows included.
func panels(d dashboard.Dashboard) []dashboard.Panel {
	var out []dashboard.Panel
	for _, pr := range d.Panels {
		if pr.Panel != nil {
			out = append(out, *pr.Panel)
		}
		if pr.RowPanel != nil {
			out = append(out, pr.RowPanel.Panels...)
		}
	}
	return out
}
