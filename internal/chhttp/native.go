package chhttp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// The Native format carries, per block, a "block info" header and per
// column a custom-serialization flag only when the client speaks a TCP
// protocol revision that has them; the server's HTTP interface writes them
// for the revision the client names in client_protocol_version, which
// clickhouse-go always sends. chDB writes revision 0 (neither), so the
// handler re-encodes each block for the client's revision, with
// clickhouse-go's own block codec: what comes out is what the driver reads.

// readerSize is the buffer that lets reviseNative see where the blocks end.
const readerSize = 256 << 10

// reviseNative re-encodes Native output of revision 0 (chDB's) for
// revision and returns it with its number of rows.
func reviseNative(data []byte, revision uint64, sc column.ServerContext) ([]byte, int, error) {
	if revision == 0 || len(data) == 0 {
		return data, 0, nil
	}
	br := bufio.NewReaderSize(bytes.NewReader(data), readerSize)
	r := chproto.NewReader(br) // reads through br, which it does not re-buffer
	var out chproto.Buffer
	out.Buf = make([]byte, 0, len(data)+len(data)/8+64)
	rows := 0
	for n := 0; ; n++ {
		if _, err := br.Peek(1); err == io.EOF {
			return out.Buf, rows, nil
		}
		ctx := sc
		b := proto.Block{ServerContext: &ctx}
		if err := b.Decode(r, 0); err != nil {
			return nil, 0, fmt.Errorf("cannot decode block %d of the engine's Native output: %w", n, err)
		}
		if err := b.Encode(&out, revision); err != nil {
			return nil, 0, fmt.Errorf("cannot encode block %d for protocol revision %d: %w", n, revision, err)
		}
		rows += b.Rows()
	}
}

// serverContext is what clickhouse-go's column codecs need to know about the
// engine.
func serverContext(version string, revision uint64, tz *time.Location) column.ServerContext {
	v := proto.ParseVersion(version)
	return column.ServerContext{Revision: revision, VersionMajor: v.Major, VersionMinor: v.Minor, VersionPatch: v.Patch, Timezone: tz}
}
