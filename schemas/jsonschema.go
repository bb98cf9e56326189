package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"strings"
)

//go:embed jsonschema/*.json
var jsonSchemas embed.FS

// JSONSchema returns the JSON Schema (draft 2020-12) of an event type, the
// contract in a form producers in other languages can validate against
// before they send. The files are generated from Specs, the same tables
// Decode validates with (go test ./schemas -run TestJSONSchemaFiles -update
// rewrites them), so the two cannot drift. Rules a JSON Schema cannot say
// (an end before its start) are listed in the schema's $comment.
func JSONSchema(eventType string) ([]byte, bool) {
	if _, ok := SpecOf(eventType); !ok {
		return nil, false
	}
	b, err := jsonSchemas.ReadFile("jsonschema/" + eventType + ".json")
	return b, err == nil
}

// timestampPattern is RFC 3339 with a mandatory offset, as Decode accepts it.
const timestampPattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$`

// idDescription says how Decode stores an id (Kind ID, the envelope id
// and source).
const idDescription = "an opaque id, stored as sent; one that contains an e-mail address or an " +
	"international phone number is stored as a pii: token (schemas.PIIToken)"

// jsonSchema generates the JSON Schema file of s.
func (s *Spec) jsonSchema() []byte {
	var required []string
	props := obj{}
	for _, f := range s.Fields {
		var p any
		switch f.Kind {
		case String:
			p = obj{{"type", "string"}, {"description", "free text; e-mail addresses and phone numbers in it are stored as ***"}}
		case ID:
			p = obj{{"type", "string"}, {"description", idDescription}}
		case Enum:
			p = obj{{"type", "string"}, {"enum", f.Values}}
		case Timestamp:
			p = obj{{"$ref", "#/$defs/timestamp"}}
		case Duration:
			p = obj{{"type", "number"}, {"minimum", 0}, {"description", "seconds"}}
		case Number:
			p = obj{{"type", "number"}}
		case Bool:
			p = obj{{"type", "boolean"}}
		}
		if f.Required {
			required = append(required, f.Name)
		} else {
			p = obj{{"anyOf", []any{p, obj{{"type", "null"}}}}} // null counts as absent
		}
		props = append(props, member{f.Name, p})
	}
	data := obj{{"type", "object"}, {"required", required}, {"properties", props}}
	var allOf []any
	for _, c := range s.RequiredIf {
		allOf = append(allOf, obj{
			{"if", obj{{"properties", obj{{c.When, obj{{"const", c.Is}}}}}, {"required", []string{c.When}}}},
			{"then", obj{{"required", []string{c.Field}}}},
		})
	}
	if allOf != nil {
		data = append(data, member{"allOf", allOf})
	}
	var rules []string
	for _, o := range s.Orders {
		rules = append(rules, o.End+" may not be before "+o.Start)
	}
	schema := obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", "urn:frontline:schema:" + s.Type},
		{"title", s.Type},
		{"description", "A " + s.Type + " event of the Frontline event contract v1 (docs/events.md): " +
			"CloudEvents 1.0 structured JSON. Unknown fields are allowed; a null field counts as absent. " +
			"Generated from schemas.Specs; do not edit."},
	}
	if rules != nil {
		schema = append(schema, member{"$comment", "Also invalid (reason end_before_start): " + strings.Join(rules, "; ") + "."})
	}
	schema = append(schema,
		member{"type", "object"},
		member{"required", []string{"specversion", "id", "source", "type", "data"}},
		member{"properties", obj{
			{"specversion", obj{{"const", "1.0"}}},
			{"id", obj{{"type", "string"}, {"minLength", 1}, {"description", idDescription}}},
			{"source", obj{{"type", "string"}, {"minLength", 1}, {"description", idDescription}}},
			{"type", obj{{"const", s.Type}}},
			{"time", obj{{"anyOf", []any{obj{{"$ref", "#/$defs/timestamp"}}, obj{{"type", "null"}}}}}},
			{"data", data},
		}},
		member{"$defs", obj{{"timestamp", obj{
			{"type", "string"}, {"format", "date-time"}, {"pattern", timestampPattern},
			{"description", "RFC 3339 with an offset (Z or ±hh:mm); stored in UTC. Once in UTC it must be from " +
				MinTime + " (inclusive) to " + MaxTime + " (exclusive), else the event is rejected as out_of_range (the reason names the field)"},
		}}}},
	)
	b, err := json.Marshal(schema)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		panic(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// obj is a JSON object that keeps its members in order.
type obj []member

type member struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(m.k)
		v, err := json.Marshal(m.v)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}
