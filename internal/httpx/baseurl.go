package httpx

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"
)

// BaseURL returns raw (def when empty) without a trailing slash or the API's path
// apiPath (such as /api/v2) that a user may have added, refusing anything that is not
// http(s) and plain http to a host that is not loopback. Its errors start with what
// (the setting's name) and show the URL's scheme, host and path only: a user or query
// may hold a key.
func BaseURL(raw, def, apiPath, what string) (string, error) {
	if raw == "" {
		return def, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL (not shown: it may hold a secret); want one such as %s", what, def)
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	switch {
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "": // not shown: maybe no URL at all
		return "", fmt.Errorf("%s is not an http(s) URL (not shown: it may hold a secret); want one such as %s", what, def)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%s %q: want no user, query or fragment", what, shown)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return "", fmt.Errorf("%s %q: refusing to send credentials over plain http to a host that is not loopback; use https", what, shown)
	}
	if u.Path != "" {
		u.Path = path.Clean(u.Path) // no "." or ".." segments: requests go where they say
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), apiPath)
	u.RawPath = ""
	return strings.TrimSuffix(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
}
