// Go's sync.Pool on the workloads of benches/peers_common (issue 6), run by
// scripts/bench-report.sh:
//
//	cd benches/go && go test -run '^$' -bench . -benchmem -count 5
//
// Benchmark names are Benchmark<Workload>_<Scenario>; ns/op is per cycle
// (1-thread), per cycle over both goroutines' cycles (2-threads: each runs
// b.N/2, so ns/op is wall time / all cycles, as the Rust side reports), per
// object (producer-consumer, handed over in batches of 16), per burst of 64 takes
// and 64 returns (burst-64).
package peers

import (
	"sync"
	"testing"
)

var payload [256]byte

func init() {
	for i := range payload {
		payload[i] = 0x5a
	}
}

// sink keeps reads from being optimised away.
var sink byte

// Request is the request builder of the Rust workload: byte slices instead
// of Strings, so that a reset keeps their capacity as Rust's clear() does.
type Request struct {
	Path    []byte
	Headers [][]byte
	Body    []byte
	ID      uint64
	Trace   *string
}

func (r *Request) fill() {
	r.Path = append(r.Path, "/v1/tables/orders"...)
	r.Body = append(r.Body, payload[:]...)
	r.ID = 42
}

func (r *Request) peek() byte { return r.Body[255] }

func (r *Request) reset() {
	r.Path = r.Path[:0]
	r.Headers = r.Headers[:0]
	r.Body = r.Body[:0]
	r.ID = 0
	r.Trace = nil
}

// Buffer is the 4 KiB byte buffer.
type Buffer struct{ B []byte }

func (b *Buffer) fill()      { b.B = append(b.B, payload[:]...) }
func (b *Buffer) peek() byte { return b.B[255] }
func (b *Buffer) reset()     { b.B = b.B[:0] }

// Small is the 64-byte struct without heap.
type Small struct{ W [8]uint64 }

var seed uint64 = 7

func (s *Small) fill() {
	for i := range s.W {
		s.W[i] = seed + uint64(i)
	}
}
func (s *Small) peek() byte { return byte(s.W[5]) }
func (s *Small) reset()     { s.W = [8]uint64{} }

type object interface {
	fill()
	peek() byte
	reset()
}

var (
	requests = sync.Pool{New: func() any { return new(Request) }}
	buffers  = sync.Pool{New: func() any { return &Buffer{B: make([]byte, 0, 4096)} }}
	smalls   = sync.Pool{New: func() any { return new(Small) }}
)

// Go has no generics-free way to share these loops without an interface
// call per cycle, and the Rust side calls directly: one loop per type.

func cycleRequest() {
	r := requests.Get().(*Request)
	r.fill()
	sink = r.peek()
	r.reset()
	requests.Put(r)
}

func cycleBuffer() {
	b := buffers.Get().(*Buffer)
	b.fill()
	sink = b.peek()
	b.reset()
	buffers.Put(b)
}

func cycleSmall() {
	s := smalls.Get().(*Small)
	s.fill()
	sink = s.peek()
	s.reset()
	smalls.Put(s)
}

func oneThread(b *testing.B, cycle func()) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		cycle()
	}
}

func twoThreads(b *testing.B, cycle func()) {
	b.ReportAllocs()
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				cycle()
			}
		}(b.N / 2)
	}
	wg.Wait()
}

// producerConsumer hands objects over as the Rust side does: batches of 16
// in reused slices, full ones one way and empty ones back, at most 64 in
// flight.
func producerConsumer(b *testing.B, pool *sync.Pool) {
	b.ReportAllocs()
	const handoff, inFlight = 16, 64
	full := make(chan []object, inFlight/handoff)
	empty := make(chan []object, inFlight/handoff)
	for i := 0; i < inFlight/handoff; i++ {
		empty <- make([]object, 0, handoff)
	}
	done := make(chan struct{})
	b.ResetTimer()
	go func() {
		for left := b.N; left > 0; {
			batch := <-full
			left -= len(batch)
			for _, o := range batch {
				o.reset()
				pool.Put(o)
			}
			empty <- batch[:0]
		}
		close(done)
	}()
	for left := b.N; left > 0; {
		batch := <-empty
		k := handoff
		if left < k {
			k = left
		}
		for i := 0; i < k; i++ {
			o := pool.Get().(object)
			o.fill()
			sink = o.peek()
			batch = append(batch, o)
		}
		left -= k
		full <- batch
	}
	<-done
}

func burst(b *testing.B, pool *sync.Pool) {
	b.ReportAllocs()
	held := make([]object, 0, 64)
	for i := 0; i < b.N; i++ {
		for k := 0; k < 64; k++ {
			o := pool.Get().(object)
			o.fill()
			sink = o.peek()
			held = append(held, o)
		}
		for _, o := range held {
			o.reset()
			pool.Put(o)
		}
		held = held[:0]
	}
}

func BenchmarkRequest_1thread(b *testing.B)          { oneThread(b, cycleRequest) }
func BenchmarkRequest_2threads(b *testing.B)         { twoThreads(b, cycleRequest) }
func BenchmarkRequest_producerConsumer(b *testing.B) { producerConsumer(b, &requests) }
func BenchmarkRequest_burst64(b *testing.B)          { burst(b, &requests) }

func BenchmarkBuffer4k_1thread(b *testing.B)          { oneThread(b, cycleBuffer) }
func BenchmarkBuffer4k_2threads(b *testing.B)         { twoThreads(b, cycleBuffer) }
func BenchmarkBuffer4k_producerConsumer(b *testing.B) { producerConsumer(b, &buffers) }
func BenchmarkBuffer4k_burst64(b *testing.B)          { burst(b, &buffers) }

func BenchmarkSmall64b_1thread(b *testing.B)          { oneThread(b, cycleSmall) }
func BenchmarkSmall64b_2threads(b *testing.B)         { twoThreads(b, cycleSmall) }
func BenchmarkSmall64b_producerConsumer(b *testing.B) { producerConsumer(b, &smalls) }
func BenchmarkSmall64b_burst64(b *testing.B)          { burst(b, &smalls) }
