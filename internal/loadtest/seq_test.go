package loadtest

import "testing"

func TestSeqCounter(t *testing.T) {
	for _, tc := range []struct {
		name string
		seqs []uint16
		want int64
	}{
		{"contiguous", []uint16{10, 11, 12}, 3},
		{"gap", []uint16{10, 11, 14}, 5},
		{"wrap", []uint16{65534, 65535, 0, 1}, 4},
		{"wrap with gap", []uint16{65535, 2}, 4},
		{"reordered", []uint16{10, 12, 11, 13}, 4},
		{"late duplicate of an old packet", []uint16{10, 11, 12, 5}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c seqCounter
			var got int64
			for _, s := range tc.seqs {
				got = c.observe(s)
			}
			if got != tc.want {
				t.Errorf("expected %d, want %d", got, tc.want)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if got := percentile(xs, 50); got != 3 {
		t.Errorf("p50 = %v", got)
	}
	if got := percentile(xs, 99); got != 5 {
		t.Errorf("p99 = %v", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("empty p50 = %v", got)
	}
}
