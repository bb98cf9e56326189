package simulator

// heap is a binary min-heap of values ordered by less; unlike
// container/heap it does not box its elements.
type heap[T any, P interface {
	*T
	less(*T) bool
}] struct {
	s []T
}

func (h *heap[T, P]) len() int { return len(h.s) }
func (h *heap[T, P]) top() *T  { return &h.s[0] }

func (h *heap[T, P]) push(x T) {
	h.s = append(h.s, x)
	i := len(h.s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !P(&h.s[i]).less(&h.s[p]) {
			break
		}
		h.s[i], h.s[p] = h.s[p], h.s[i]
		i = p
	}
}

func (h *heap[T, P]) pop() T {
	x := h.s[0]
	n := len(h.s) - 1
	h.s[0] = h.s[n]
	var zero T
	h.s[n] = zero
	h.s = h.s[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && P(&h.s[r]).less(&h.s[l]) {
			c = r
		}
		if !P(&h.s[c]).less(&h.s[i]) {
			break
		}
		h.s[i], h.s[c] = h.s[c], h.s[i]
		i = c
	}
	return x
}
