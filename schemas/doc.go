// Package schemas is the event contract v1 (docs/events.md) in Go:
// the typed events, and the one table (Specs) from which everything that
// must agree with the contract is derived.
//
// An event travels through the package like this:
//
//   - a producer (the simulator, a test) builds an Event with typed Data
//     and writes it with Encode as CloudEvents 1.0 structured JSON;
//   - the collector reads the Kafka message and calls Decode, which either
//     returns the Event, with timestamps in UTC within [MinTime, MaxTime),
//     no phone or e-mail fields, free text scrubbed and ids holding an
//     address or number replaced by a token, or an *Invalid whose stable
//     Reason goes to the DLQ and whose Detail is already scrubbed;
//   - a rejected payload is stored in the DLQ table only after Redact;
//   - a label or a log line made from event content goes through TypeLabel
//     or SafeText, so no producer chooses the series or breaks UTF-8;
//   - a valid Event becomes a raw-table row with Event.Row, in the columns
//     of its TypeInfo.
//
// Specs drives Decode, Encode and the JSON Schema files (JSONSchema), so
// validation in Go and the schemas handed to other producers cannot drift.
package schemas
