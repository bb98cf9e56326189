package kpi

import (
	"fmt"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"
)

// Status is how a KPI stands against its target.
type Status int

// Statuses, from no judgement to breach.
const (
	// NoData: the KPI is null (nothing to judge) or has no target.
	NoData Status = iota
	// OK: the target is met.
	OK
	// Warning: the target is missed by less than the warning band.
	Warning
	// Breach: the target is missed by the warning band or more.
	Breach
)

// String is the mark printed next to a KPI.
func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Warning:
		return "warning"
	case Breach:
		return "breach"
	}
	return "-"
}

// MarshalJSON writes a status as "ok", "warning" or "breach", and NoData
// (nothing to judge) as null.
func (s Status) MarshalJSON() ([]byte, error) {
	if s == NoData {
		return []byte("null"), nil
	}
	return []byte(`"` + s.String() + `"`), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Status) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*s = NoData
	case `"ok"`:
		*s = OK
	case `"warning"`:
		*s = Warning
	case `"breach"`:
		*s = Breach
	default:
		return fmt.Errorf("cannot read status %s: want \"ok\", \"warning\", \"breach\" or null", b)
	}
	return nil
}

// Target is the service goal of one queue (or of all queues). The report,
// the html view and the dashboards judge KPIs against it.
type Target struct {
	// SLThreshold is the service-level answer threshold. Default 20 s.
	SLThreshold time.Duration `yaml:"sl_threshold"`
	// ServiceLevel is the fraction of offered calls to answer within
	// SLThreshold. Default 0.80.
	ServiceLevel float64 `yaml:"service_level"`
	// MaxAbandonRate is the abandon-rate ceiling. Default 0.05.
	MaxAbandonRate float64 `yaml:"max_abandon_rate"`
	// CallbackSLA is the fraction of callbacks to reach by their due time.
	// Default 0.90.
	CallbackSLA float64 `yaml:"callback_sla"`
	// EmailSLA is the e-mail first-response time. Default 24 h.
	EmailSLA time.Duration `yaml:"email_sla"`
	// EmailSLARate is the fraction of e-mails to answer within EmailSLA.
	// Default 0.90.
	EmailSLARate float64 `yaml:"email_sla_rate"`
	// WarningBand: a KPI that misses its target by less than this fraction
	// of the target is a warning, otherwise a breach. Default 0.10.
	WarningBand float64 `yaml:"warning_band"`
}

// DefaultTarget is the target of every queue unless configured otherwise.
func DefaultTarget() Target {
	return Target{
		SLThreshold:    20 * time.Second,
		ServiceLevel:   0.80,
		MaxAbandonRate: 0.05,
		CallbackSLA:    0.90,
		EmailSLA:       24 * time.Hour,
		EmailSLARate:   0.90,
		WarningBand:    0.10,
	}
}

// Targets are the default target and per-queue overrides, read from the
// `targets:` section of the config file:
//
//	targets:
//	  default: {service_level: 0.8, sl_threshold: 20s, max_abandon_rate: 0.05}
//	  billing: {service_level: 0.9}
//
// A queue's entry overrides only the fields it names.
type Targets struct {
	Default Target
	Queues  map[string]Target
}

// DefaultTargets are the targets without any configuration.
func DefaultTargets() Targets { return Targets{Default: DefaultTarget()} }

// ParseTargets reads the YAML of a `targets:` section (nil or empty gives
// DefaultTargets).
func ParseTargets(b []byte) (Targets, error) {
	t := DefaultTargets()
	var nodes map[string]yaml.Node
	if err := yaml.Unmarshal(b, &nodes); err != nil {
		return t, fmt.Errorf("cannot parse targets: %w", err)
	}
	if n, ok := nodes["default"]; ok {
		if err := n.Decode(&t.Default); err != nil {
			return t, fmt.Errorf("cannot parse targets.default: %w", err)
		}
	}
	names := make([]string, 0, len(nodes))
	for name := range nodes {
		if name != "default" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		q := t.Default
		n := nodes[name]
		if err := n.Decode(&q); err != nil {
			return t, fmt.Errorf("cannot parse targets.%s: %w", name, err)
		}
		if t.Queues == nil {
			t.Queues = map[string]Target{}
		}
		t.Queues[name] = q
	}
	return t, nil
}

// For returns the target of queue ("" = all queues: the default).
func (t Targets) For(queue string) Target {
	if q, ok := t.Queues[queue]; ok {
		return q
	}
	return t.Default
}

// atLeast judges a KPI that should reach target.
func (t Target) atLeast(v *float64, target float64) Status {
	switch {
	case v == nil || target <= 0:
		return NoData
	case *v >= target:
		return OK
	case *v >= target*(1-t.WarningBand):
		return Warning
	}
	return Breach
}

// atMost judges a KPI that should stay under ceiling.
func (t Target) atMost(v *float64, ceiling float64) Status {
	switch {
	case v == nil || ceiling <= 0:
		return NoData
	case *v <= ceiling:
		return OK
	case *v <= ceiling*(1+t.WarningBand):
		return Warning
	}
	return Breach
}

// JudgeServiceLevel judges a service level against ServiceLevel.
func (t Target) JudgeServiceLevel(v *float64) Status { return t.atLeast(v, t.ServiceLevel) }

// JudgeAbandonRate judges an abandon rate against MaxAbandonRate.
func (t Target) JudgeAbandonRate(v *float64) Status { return t.atMost(v, t.MaxAbandonRate) }

// JudgeCallbackSLA judges a callback SLA rate against CallbackSLA.
func (t Target) JudgeCallbackSLA(v *float64) Status { return t.atLeast(v, t.CallbackSLA) }

// JudgeEmailSLA judges an e-mail SLA rate against EmailSLARate.
func (t Target) JudgeEmailSLA(v *float64) Status { return t.atLeast(v, t.EmailSLARate) }

// YAML returns the targets in the shape of the config file's targets:
// section (durations as "20s"), for --print-config.
func (t Targets) YAML() map[string]any {
	one := func(x Target) map[string]any {
		return map[string]any{
			"sl_threshold": x.SLThreshold.String(), "service_level": x.ServiceLevel, "max_abandon_rate": x.MaxAbandonRate,
			"callback_sla": x.CallbackSLA, "email_sla": x.EmailSLA.String(), "email_sla_rate": x.EmailSLARate, "warning_band": x.WarningBand,
		}
	}
	out := map[string]any{"default": one(t.Default)}
	for q, x := range t.Queues {
		out[q] = one(x)
	}
	return out
}
