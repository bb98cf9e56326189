// Package schemas is the event contract v1 (docs/events.md) in Go:
// the typed events, and the one table (Specs) from which everything that
// must agree with the contract is derived.
//
// An event travels through the package like this:
//
//   - a producer (the simulator, a test) builds an Event with typed Data
//     and writes it with Encode as CloudEvents 1.0 structured JSON;
//   - the collector reads the Kafka message and calls Decode, which either
//     returns the Event, with timestamps in UTC and no phone or e-mail
//     fields, or an *Invalid whose stable Reason goes to the DLQ;
//   - a rejected payload is stored in the DLQ table only after Redact;
//   - a valid Event becomes a raw-table row with Event.Row, in the columns
//     of its TypeInfo.
//
// Specs drives Decode, Encode and the JSON Schema files (JSONSchema), so
// validation in Go and the schemas handed to other producers cannot drift.
package schemas
