package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
)

// ClickHouseType is the plugin id of the grafana-clickhouse-datasource
// plugin: the data source type of every ClickHouse panel.
const ClickHouseType = "grafana-clickhouse-datasource"

// ClickHousePluginVersion is the query-model version written into each
// query. The plugin migrates queries of older models (v3 and before) when
// it loads them; stating v4 keeps it from touching ours.
const ClickHousePluginVersion = "4.0.0"

// ClickHouseFormat is how the plugin shapes a result (its backend's
// sqlutil.FormatQueryOption): the numbers are the plugin's JSON model.
type ClickHouseFormat int

// Formats of the plugin's JSON model.
const (
	// ClickHouseTimeSeries: the first DateTime column is the time; a string
	// column splits the rows into one series per value (long to wide).
	ClickHouseTimeSeries ClickHouseFormat = 0
	// ClickHouseTable: rows as they come, for stats, tables and bar charts.
	ClickHouseTable ClickHouseFormat = 1
	// ClickHouseLogs: rows for the logs panel.
	ClickHouseLogs ClickHouseFormat = 2
	// ClickHouseTraces: rows for the trace view.
	ClickHouseTraces ClickHouseFormat = 3
)

// queryType is the plugin's display hint that goes with a format.
func (f ClickHouseFormat) queryType() string {
	switch f {
	case ClickHouseTimeSeries:
		return "timeSeries"
	case ClickHouseLogs:
		return "logs"
	case ClickHouseTraces:
		return "traces"
	}
	return "table"
}

// ClickHouseDataquery is a raw-SQL query of the grafana-clickhouse-datasource
// plugin. The Foundation SDK (v0.0.18) ships no type for this plugin; this
// one implements the SDK's variants.Dataquery so ClickHouse queries go into
// panels like the SDK's own, and decodes back through the SDK's dashboard
// types once ClickHouseVariantConfig is registered (see RegisterPlugins).
type ClickHouseDataquery struct {
	// RefId names the query within its panel ("A", "B", …).
	RefId string `json:"refId"`
	// Hide keeps the query from being shown (it still runs).
	Hide *bool `json:"hide,omitempty"`
	// Datasource is {type: grafana-clickhouse-datasource, uid}.
	Datasource *common.DataSourceRef `json:"datasource,omitempty"`
	// EditorType is "sql" (raw SQL) or "builder"; Frontline writes SQL.
	EditorType string `json:"editorType"`
	// QueryType is the display hint: table, timeSeries, logs or traces.
	QueryType string `json:"queryType"`
	// Format shapes the result; see ClickHouseFormat.
	Format ClickHouseFormat `json:"format"`
	// RawSql is the query, with the plugin's macros ($__timeFilter(col),
	// $__fromTime, $__toTime, $__interval_s, …) and dashboard variables.
	RawSql string `json:"rawSql"`
	// PluginVersion is the query-model version (ClickHousePluginVersion).
	PluginVersion string `json:"pluginVersion,omitempty"`
}

// ImplementsDataqueryVariant marks ClickHouseDataquery as a panel target.
func (q ClickHouseDataquery) ImplementsDataqueryVariant() {}

// DataqueryType is the plugin id, the key the SDK's runtime decodes by.
func (q ClickHouseDataquery) DataqueryType() string { return ClickHouseType }

// Validate reports a query the plugin could not run.
func (q ClickHouseDataquery) Validate() error {
	if q.RawSql == "" {
		return errors.New("clickhouse query: rawSql is empty")
	}
	if q.RefId == "" {
		return errors.New("clickhouse query: refId is empty")
	}
	return nil
}

// Equals compares with another dataquery (value or pointer) field by field,
// as the SDK's Panel.Equals needs.
func (q ClickHouseDataquery) Equals(other variants.Dataquery) bool {
	var o ClickHouseDataquery
	switch v := other.(type) {
	case ClickHouseDataquery:
		o = v
	case *ClickHouseDataquery:
		if v == nil {
			return false
		}
		o = *v
	default:
		return false
	}
	a, errA := json.Marshal(q)
	b, errB := json.Marshal(o)
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

// UnmarshalJSON decodes the plugin's JSON model leniently: unknown keys
// (builder options, meta, …) are ignored.
func (q *ClickHouseDataquery) UnmarshalJSON(raw []byte) error {
	type plain ClickHouseDataquery
	var p plain
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("cannot decode clickhouse query: %w", err)
	}
	*q = ClickHouseDataquery(p)
	return nil
}

// UnmarshalJSONStrict decodes like UnmarshalJSON but rejects unknown keys
// and a missing rawSql, for the SDK's strict decoding.
func (q *ClickHouseDataquery) UnmarshalJSONStrict(raw []byte) error {
	type plain ClickHouseDataquery
	var p plain
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return fmt.Errorf("cannot decode clickhouse query: %w", err)
	}
	*q = ClickHouseDataquery(p)
	return q.Validate()
}

// ClickHouseVariantConfig tells the SDK's runtime how to decode queries of
// the ClickHouse plugin, so dashboard.Dashboard JSON round-trips with typed
// ClickHouse targets instead of UnknownDataquery maps.
func ClickHouseVariantConfig() variants.DataqueryConfig {
	return variants.DataqueryConfig{
		Identifier: ClickHouseType,
		DataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) {
			q := &ClickHouseDataquery{}
			if err := q.UnmarshalJSON(raw); err != nil {
				return nil, err
			}
			return q, nil
		},
		StrictDataqueryUnmarshaler: func(raw []byte) (variants.Dataquery, error) {
			q := &ClickHouseDataquery{}
			if err := q.UnmarshalJSONStrict(raw); err != nil {
				return nil, err
			}
			return q, nil
		},
		GoConverter: func(dataquery any) string {
			return fmt.Sprintf("dashboards.ClickHouseQuery() /* %s */", cog.Dump(dataquery))
		},
	}
}

// RegisterPlugins registers the SDK's own panel and query types and the
// ClickHouse query type with the SDK's runtime. Call it before decoding
// dashboard JSON with the SDK's types; it is idempotent.
func RegisterPlugins() {
	plugins.RegisterDefaultPlugins()
	cog.NewRuntime().RegisterDataqueryVariant(ClickHouseVariantConfig())
}

// ClickHouseQueryBuilder builds a ClickHouseDataquery in the SDK's builder
// style; errors surface from Build.
type ClickHouseQueryBuilder struct {
	internal *ClickHouseDataquery
}

// ClickHouseQuery starts a raw-SQL table query (refId "A", plugin v4 model).
func ClickHouseQuery() *ClickHouseQueryBuilder {
	return &ClickHouseQueryBuilder{internal: &ClickHouseDataquery{
		RefId:         "A",
		EditorType:    "sql",
		QueryType:     ClickHouseTable.queryType(),
		Format:        ClickHouseTable,
		PluginVersion: ClickHousePluginVersion,
	}}
}

// RefId names the query within its panel.
func (b *ClickHouseQueryBuilder) RefId(refId string) *ClickHouseQueryBuilder {
	b.internal.RefId = refId
	return b
}

// Datasource points the query at a ClickHouse data source by uid.
func (b *ClickHouseQueryBuilder) Datasource(uid string) *ClickHouseQueryBuilder {
	t := ClickHouseType
	b.internal.Datasource = &common.DataSourceRef{Type: &t, Uid: &uid}
	return b
}

// RawSql sets the SQL text.
func (b *ClickHouseQueryBuilder) RawSql(sql string) *ClickHouseQueryBuilder {
	b.internal.RawSql = sql
	return b
}

// Format sets how the result is shaped, and the matching query type.
func (b *ClickHouseQueryBuilder) Format(f ClickHouseFormat) *ClickHouseQueryBuilder {
	b.internal.Format = f
	b.internal.QueryType = f.queryType()
	return b
}

// Hide runs the query without showing it.
func (b *ClickHouseQueryBuilder) Hide(hide bool) *ClickHouseQueryBuilder {
	b.internal.Hide = &hide
	return b
}

// Build returns the query, or why it is not valid.
func (b *ClickHouseQueryBuilder) Build() (variants.Dataquery, error) {
	q := *b.internal
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
}
