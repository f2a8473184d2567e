// A Go program that checks its own work while scremote attaches to it
// again and again: goroutines in a ring of channels, CPU loops that only
// asynchronous preemption (SIGURG) can stop, a garbage collector kept
// busy, timers, a TCP echo on 127.0.0.1 (the netpoller: epoll), file
// I/O, a thread locked to its goroutine, a contended mutex.  Every
// result is checked as it is produced; any wrong one prints "FAIL: ..."
// and exits 1.
//
// Prints "READY pid=N port=P", works until its standard input ends,
// stops every worker (bounded), checks the totals and prints
// "VERDICT PASS ..." (exit 0).  Standard library only.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const watchdog = 300 * time.Second

var (
	stop    = make(chan struct{})
	wg      sync.WaitGroup
	counts  = map[string]*int64{}
	countMu sync.Mutex
)

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func counter(name string) *int64 {
	countMu.Lock()
	defer countMu.Unlock()
	c := new(int64)
	counts[name] = c
	return c
}

func stopped() bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// worker runs fn until stop, counting its rounds under name.
func worker(name string, fn func(round int64)) {
	c := counter(name)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for r := int64(0); !stopped(); r++ {
			fn(r)
			atomic.AddInt64(c, 1)
		}
	}()
}

// ring: tokens travel through a ring of goroutines; each stage checks
// the sequence, the last hands it back to be checked against what was
// sent.
func ring() {
	const stages = 8
	var chans [stages + 1]chan uint64
	for i := range chans {
		chans[i] = make(chan uint64)
	}
	for i := 0; i < stages; i++ {
		in, out := chans[i], chans[i+1]
		go func(stage int) {
			next := uint64(0)
			for v := range in {
				if v != next {
					fail("ring stage %d: got token %d, expected %d", stage, v, next)
				}
				next++
				out <- v
			}
			close(out)
		}(i)
	}
	seq := uint64(0)
	worker("ring", func(int64) {
		for k := 0; k < 100; k++ {
			chans[0] <- seq
			if got := <-chans[stages]; got != seq {
				fail("ring: sent %d, got back %d", seq, got)
			}
			seq++
		}
	})
}

// lcg runs a loop with no function call in it: only an asynchronous
// preemption (SIGURG) can stop it for the garbage collector.
func lcg(n int, x uint64) uint64 {
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		x ^= x >> 29
	}
	return x
}

// fsum does the same with floating point (SSE registers).
func fsum(n int, seed float64) float64 {
	s, y := 0.0, seed
	for i := 0; i < n; i++ {
		y = y*1.0000001 + 0.5
		if y > 1e6 {
			y -= 1e6
		}
		s += y * 0.25
	}
	return s
}

func spin() {
	const n = 20000000
	wantI := lcg(n, 12345)
	wantF := fsum(n, 3.5)
	for g := 0; g < 2; g++ {
		worker(fmt.Sprintf("spin%d", g), func(int64) {
			if got := lcg(n, 12345); got != wantI {
				fail("integer loop: %#x, expected %#x", got, wantI)
			}
			if got := fsum(n, 3.5); got != wantF || math.IsNaN(got) {
				fail("float loop: %v, expected %v", got, wantF)
			}
		})
	}
}

type node struct {
	left, right *node
	val         uint64
}

func tree(depth int, val uint64) *node {
	if depth == 0 {
		return &node{val: val}
	}
	return &node{tree(depth-1, val*2), tree(depth-1, val*2+1), val}
}

func (n *node) check(depth int, val uint64) bool {
	if n.val != val {
		return false
	}
	if depth == 0 {
		return n.left == nil && n.right == nil
	}
	return n.left.check(depth-1, val*2) && n.right.check(depth-1, val*2+1)
}

// garbage: trees, maps and buffers made and checked while the collector
// runs often (GC percent 20) and now and then by request.
func garbage() {
	long := make(map[int]string, 50000)
	for i := 0; i < 50000; i++ {
		long[i] = fmt.Sprintf("value-%d", i*7)
	}
	worker("gc", func(r int64) {
		t := tree(14, 1)
		m := make(map[string][]byte, 2000)
		for i := 0; i < 2000; i++ {
			m[fmt.Sprint(i)] = bytes.Repeat([]byte{byte(i)}, i%300)
		}
		buf := make([]byte, 1<<20)
		for i := range buf {
			buf[i] = byte(i * 31)
		}
		want := sha256.Sum256(buf)
		if r%8 == 0 {
			runtime.GC()
		}
		if !t.check(14, 1) {
			fail("gc: a tree changed under the collector")
		}
		for i := 0; i < 2000; i++ {
			b := m[fmt.Sprint(i)]
			if len(b) != i%300 || (len(b) > 0 && (b[0] != byte(i) || b[len(b)-1] != byte(i))) {
				fail("gc: map entry %d changed", i)
			}
		}
		if sha256.Sum256(buf) != want {
			fail("gc: a buffer changed")
		}
		for i := 0; i < 50000; i += 997 {
			if long[i] != fmt.Sprintf("value-%d", i*7) {
				fail("gc: long-lived map entry %d is %q", i, long[i])
			}
		}
	})
}

// timers: sleeps, timer channels and AfterFunc never end early; a
// ticker ticks.
func timers() {
	for g := 0; g < 3; g++ {
		worker(fmt.Sprintf("timer%d", g), func(r int64) {
			d := time.Duration(r%5) * time.Millisecond
			t0 := time.Now()
			switch r % 3 {
			case 0:
				time.Sleep(d)
			case 1:
				<-time.After(d)
			default:
				done := make(chan time.Time, 1)
				time.AfterFunc(d, func() { done <- time.Now() })
				if at := <-done; at.Sub(t0) < d {
					fail("AfterFunc(%v) ran after %v", d, at.Sub(t0))
				}
			}
			if el := time.Since(t0); el < d {
				fail("a %v wait ended after %v", d, el)
			}
		})
	}
	// A ticker's ticks come after it was made.  (Not necessarily in
	// order: two sends of one ticker may race, see time.sendTime.)
	made := time.Now()
	tk := time.NewTicker(3 * time.Millisecond)
	worker("ticker", func(int64) {
		select {
		case t := <-tk.C:
			if t.Before(made) {
				fail("a tick at %v, before its ticker was made at %v", t, made)
			}
		case <-stop:
		}
	})
}

// echo: clients send framed messages (sequence, length, CRC) to a TCP
// server on 127.0.0.1 and check what comes back.
func echo(ln net.Listener) {
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				if stopped() {
					return
				}
				fail("accept: %v", err)
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	for g := 0; g < 3; g++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			fail("dial: %v", err)
		}
		rd := bufio.NewReader(c)
		seq := uint32(g) << 24
		worker(fmt.Sprintf("echo%d", g), func(r int64) {
			n := int(r*7919) % 20000
			msg := make([]byte, 12+n)
			for i := 12; i < len(msg); i++ {
				msg[i] = byte(int(seq) + i)
			}
			putU32(msg[0:], seq)
			putU32(msg[4:], uint32(n))
			putU32(msg[8:], crc32.ChecksumIEEE(msg[12:]))
			if _, err := c.Write(msg); err != nil {
				fail("echo write: %v", err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(rd, got); err != nil {
				fail("echo read: %v", err)
			}
			if getU32(got[0:]) != seq || getU32(got[4:]) != uint32(n) ||
				crc32.ChecksumIEEE(got[12:]) != getU32(got[8:]) || !bytes.Equal(got, msg) {
				fail("echo: message %d came back changed", seq)
			}
			seq++
		})
	}
}

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

func getU32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// files: write, sync, read back (blocking system calls: extra threads).
func files(dir string) {
	for g := 0; g < 2; g++ {
		path := filepath.Join(dir, fmt.Sprintf("go-file-%d", g))
		worker(fmt.Sprintf("file%d", g), func(r int64) {
			data := bytes.Repeat([]byte(fmt.Sprintf("%d:%d;", g, r)), 2000)
			if err := os.WriteFile(path, data, 0600); err != nil {
				fail("write %s: %v", path, err)
			}
			if r%16 == 0 {
				f, err := os.OpenFile(path, os.O_RDWR, 0)
				if err != nil {
					fail("open %s: %v", path, err)
				}
				if err := f.Sync(); err != nil {
					fail("fsync: %v", err)
				}
				f.Close()
			}
			got, err := os.ReadFile(path)
			if err != nil {
				fail("read %s: %v", path, err)
			}
			if !bytes.Equal(got, data) {
				fail("file %s: read back %d bytes that differ", path, len(got))
			}
		})
	}
}

// locked: a goroutine locked to its thread sees the same thread id and
// the right process id all along.
func locked() {
	wg.Add(1)
	c := counter("locked")
	go func() {
		defer wg.Done()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tid, pid := syscall.Gettid(), os.Getpid()
		for !stopped() {
			if t := syscall.Gettid(); t != tid {
				fail("locked goroutine moved from thread %d to %d", tid, t)
			}
			if p := syscall.Getpid(); p != pid {
				fail("getpid says %d, expected %d", p, pid)
			}
			time.Sleep(time.Millisecond)
			atomic.AddInt64(c, 1)
		}
	}()
}

// churn: a goroutine that ends while locked to its thread takes the
// thread with it, so threads are born and die all along.
func churn() {
	pid := os.Getpid()
	worker("churn", func(r int64) {
		res := make(chan int, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits
			tid := syscall.Gettid()
			if syscall.Getpid() != pid {
				fail("churn: getpid says %d, expected %d", syscall.Getpid(), pid)
			}
			res <- tid
		}()
		if tid := <-res; tid <= 0 || tid == pid {
			fail("churn: a new thread has tid %d", tid)
		}
		time.Sleep(2 * time.Millisecond)
	})
}

// mutex: four goroutines add to one counter under a mutex.
var (
	mu         sync.Mutex
	shared     int64
	increments int64
)

func mutex() {
	for g := 0; g < 4; g++ {
		worker(fmt.Sprintf("mutex%d", g), func(int64) {
			for k := 0; k < 1000; k++ {
				mu.Lock()
				shared++
				mu.Unlock()
				atomic.AddInt64(&increments, 1)
			}
			runtime.Gosched()
		})
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gotarget DIR")
		os.Exit(2)
	}
	debug.SetGCPercent(20)
	time.AfterFunc(watchdog, func() { fail("no end of input within %v", watchdog) })

	// The runtime preempts with SIGURG; Notify sees them too.
	urg := make(chan os.Signal, 64)
	signal.Notify(urg, syscall.SIGURG)
	var sigurg int64
	go func() {
		for range urg {
			atomic.AddInt64(&sigurg, 1)
		}
	}()

	// SIGUSR2 from the injector, one at a time: each is counted in
	// DIR/signals (written whole, then renamed), which it reads.
	usr2 := make(chan os.Signal, 1)
	signal.Notify(usr2, syscall.SIGUSR2)
	var nusr2 int64
	go func() {
		ack := filepath.Join(os.Args[1], "signals")
		for range usr2 {
			n := atomic.AddInt64(&nusr2, 1)
			if err := os.WriteFile(ack+".tmp", []byte(fmt.Sprint(n)), 0600); err != nil {
				fail("write %s.tmp: %v", ack, err)
			}
			if err := os.Rename(ack+".tmp", ack); err != nil {
				fail("rename %s.tmp: %v", ack, err)
			}
		}
	}()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	ring()
	spin()
	garbage()
	timers()
	echo(ln)
	files(os.Args[1])
	locked()
	churn()
	mutex()
	fmt.Printf("READY pid=%d port=%d\n", os.Getpid(), ln.Addr().(*net.TCPAddr).Port)

	io.Copy(io.Discard, os.Stdin)
	t0 := time.Now()
	close(stop)
	ln.Close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		fail("workers did not stop within 60 s")
	}
	mu.Lock()
	if shared != atomic.LoadInt64(&increments) {
		fail("mutex: counter %d after %d increments", shared, increments)
	}
	mu.Unlock()
	summary := ""
	countMu.Lock()
	for _, name := range []string{"ring", "spin0", "spin1", "gc", "timer0", "timer1", "timer2",
		"ticker", "echo0", "echo1", "echo2", "file0", "file1", "locked", "churn", "mutex0"} {
		n := atomic.LoadInt64(counts[name])
		if n == 0 {
			fail("worker %s made no progress", name)
		}
		summary += fmt.Sprintf(" %s=%d", name, n)
	}
	countMu.Unlock()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.NumGC == 0 {
		fail("the garbage collector never ran")
	}
	// Loops without calls were stopped for the collector: by SIGURG.
	if atomic.LoadInt64(&sigurg) == 0 {
		fail("no preemption signal (SIGURG) was seen")
	}
	fmt.Printf("VERDICT PASS%s collections=%d sigurg=%d sigusr2=%d stop=%.1fs %s\n", summary, ms.NumGC,
		atomic.LoadInt64(&sigurg), atomic.LoadInt64(&nusr2), time.Since(t0).Seconds(), runtime.Version())
}
