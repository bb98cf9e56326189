// Command verify checks that libchdb.so loads and answers a query; `make chdb` runs it.
package main

import (
	"fmt"
	"os"

	_ "github.com/frontline-oss/frontline/internal/chdblib"

	"github.com/chdb-io/chdb-go/chdb"
)

func main() {
	r, err := chdb.Query("SELECT version()", "TSV")
	if err != nil {
		fmt.Fprintf(os.Stderr, "libchdb.so loaded but cannot run a query: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("embedded ClickHouse %s ready (%s)\n", string(r.Buf()[:len(r.Buf())-1]), os.Getenv("CHDB_LIB_PATH"))
}
