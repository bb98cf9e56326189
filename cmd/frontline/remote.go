package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
)

// localFlags are the flags that say where to find the data, not what to
// compute: they stay on this side when a command asks a server.
var localFlags = map[string]bool{
	"config": true, "log-level": true, "print-config": true, "server": true,
	"data": true, "dsn": true, "database": true, "raw-ttl-days": true,
}

// remote answers a command through a serving frontline: the command's
// flags set by the user travel as query parameters to path on server, and
// the answer goes to w. A 400 is a usage error with the server's reason.
func remote(ctx context.Context, server, path string, cfg *config, w io.Writer) error {
	u, err := url.Parse(strings.TrimRight(server, "/") + path)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%w: --server %q: want a URL such as http://127.0.0.1:9100", errUsage, server)
	}
	q := url.Values{}
	cfg.fs.VisitAll(func(f *flag.Flag) {
		if cfg.setByUser(f.Name) && !localFlags[f.Name] {
			q.Set(f.Name, f.Value.String())
		}
	})
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cannot ask %s: %w", server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		msg := strings.TrimSpace(string(b))
		if resp.StatusCode == http.StatusBadRequest {
			return fmt.Errorf("%w: %s", errUsage, msg)
		}
		return fmt.Errorf("%s answered %s: %s", server, resp.Status, msg)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// openOrAsk opens the store for a command that only reads, or, when
// --server is given or a serving frontline holds the data directory,
// answers the command through that server. It returns a nil store when the
// command was answered remotely.
func openOrAsk(ctx context.Context, sf *storeFlags, server, path string, cfg *config, w io.Writer) (store.Store, error) {
	if server != "" {
		return nil, remote(ctx, server, path, cfg, w)
	}
	s, err := sf.open(ctx, readStore)
	var iu *store.InUseError
	if errors.As(err, &iu) && iu.Holder.URL != "" {
		cfg.Log.Info("the data directory is held by a running frontline; asking it", "holder", iu.Holder.Command, "pid", iu.Holder.PID, "server", iu.Holder.URL)
		return nil, remote(ctx, iu.Holder.URL, path, cfg, w)
	}
	if err != nil {
		return nil, inUse(err, "stop it, or give --server with its URL")
	}
	return s, nil
}
