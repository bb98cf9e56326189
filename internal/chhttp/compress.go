package chhttp

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	chcompress "github.com/ClickHouse/ch-go/compress"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Compression, as the ClickHouse server offers it over HTTP:
//
//   - compress=1: the body is ClickHouse's own block compression (LZ4, or
//     ZSTD when network_compression_method=ZSTD), with checksums; what
//     clickhouse-go asks for with Compression LZ4 or ZSTD.
//   - enable_http_compression=1 and Accept-Encoding: gzip, deflate (zlib),
//     br, zstd or lz4 (frame) as Content-Encoding; clickhouse-go with
//     Compression GZIP, Deflate or Brotli sends Accept-Encoding, and the
//     Grafana plugin always uses GZIP over HTTP. As on the server, nothing
//     is compressed without enable_http_compression=1.
//
// Request bodies are decoded by Content-Encoding, and from block
// compression when decompress=1.

// nativeBlockSize is how much of the body goes into one compressed block.
const nativeBlockSize = 1 << 20

// compressNative wraps body in ClickHouse compressed blocks.
func compressNative(body []byte, method chcompress.Method, level int) ([]byte, error) {
	w := chcompress.NewWriter(chcompress.Level(level), method)
	out := make([]byte, 0, len(body)/2+64)
	for len(body) > 0 {
		n := min(len(body), nativeBlockSize)
		if err := w.Compress(body[:n]); err != nil {
			return nil, fmt.Errorf("cannot compress the result with %s: %w", method, err)
		}
		out = append(out, w.Data...)
		body = body[n:]
	}
	return out, nil
}

// nativeMethod reads network_compression_method.
func nativeMethod(name string) (chcompress.Method, error) {
	switch strings.ToUpper(name) {
	case "", "LZ4":
		return chcompress.LZ4, nil
	case "LZ4HC":
		return chcompress.LZ4HC, nil
	case "ZSTD":
		return chcompress.ZSTD, nil
	case "NONE":
		return chcompress.None, nil
	}
	return 0, fmt.Errorf("unknown network_compression_method %q (want LZ4, LZ4HC, ZSTD or NONE)", name)
}

// httpEncodings are the Content-Encodings the handler writes, in the order
// it prefers them when the client accepts several equally.
var httpEncodings = []string{"gzip", "deflate", "br", "zstd", "lz4"}

// pickEncoding returns the first encoding of Accept-Encoding the handler
// can write ("" for none), ignoring those the client gave q=0.
func pickEncoding(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				continue
			}
		}
		for _, e := range httpEncodings {
			if name == e {
				return e
			}
		}
	}
	return ""
}

// encode compresses body with the HTTP encoding enc at level (1-9, the
// server's http_zlib_compression_level, for gzip and deflate).
func encode(body []byte, enc string, level int) ([]byte, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch enc {
	case "gzip":
		w, err = gzip.NewWriterLevel(&buf, level)
	case "deflate":
		w, err = zlib.NewWriterLevel(&buf, level)
	case "br":
		w = brotli.NewWriterLevel(&buf, brotli.DefaultCompression)
	case "zstd":
		w, err = zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
	case "lz4":
		w = lz4.NewWriter(&buf)
	default:
		return nil, fmt.Errorf("unknown content encoding %q", enc)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot start %s compression: %w", enc, err)
	}
	if _, err := w.Write(body); err != nil {
		return nil, fmt.Errorf("cannot compress the result with %s: %w", enc, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("cannot compress the result with %s: %w", enc, err)
	}
	return buf.Bytes(), nil
}

// requestBody reads the body of r (at most limit bytes after decoding),
// undoing its Content-Encoding and, with decompress=1, ClickHouse's block
// compression.
func requestBody(r *http.Request, decompress bool, limit int64) ([]byte, *exception) {
	if r.Body == nil || r.Method != http.MethodPost {
		return nil, nil
	}
	var in io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, bodyError(enc, err)
		}
		in = zr
	case "deflate":
		zr, err := zlib.NewReader(in)
		if err != nil {
			return nil, bodyError(enc, err)
		}
		in = zr
	case "br":
		in = brotli.NewReader(in)
	case "zstd":
		zr, err := zstd.NewReader(in, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, bodyError(enc, err)
		}
		defer zr.Close()
		in = zr
	case "lz4":
		in = lz4.NewReader(in)
	default:
		return nil, &exception{code: codeUnknownCompression, name: "UNKNOWN_COMPRESSION_METHOD",
			text: fmt.Sprintf("cannot read the request body: unknown Content-Encoding %q", enc), status: http.StatusBadRequest}
	}
	if decompress {
		in = chcompress.NewReader(in)
	}
	b, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return nil, bodyError("the request", err)
	}
	if int64(len(b)) > limit {
		return nil, &exception{code: codeQueryIsTooLarge, name: "QUERY_IS_TOO_LARGE",
			text: fmt.Sprintf("cannot read a query longer than %d bytes (Options.MaxQuerySize)", limit), status: http.StatusRequestEntityTooLarge}
	}
	return b, nil
}

func bodyError(what string, err error) *exception {
	return &exception{code: codeCannotDecompress, name: "CANNOT_DECOMPRESS",
		text: fmt.Sprintf("cannot decode %s body: %v", what, err), status: http.StatusBadRequest}
}
