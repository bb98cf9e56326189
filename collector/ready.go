package collector

// NotReady says why Ready is false, for /readyz.
func (c *Collector) NotReady() string {
	if c.Ready() {
		return ""
	}
	return "the last store operation failed; retrying"
}
