/*
 * A JVM program that checks its own work while scremote attaches to it
 * again and again: producers and consumers through a blocking queue
 * (sequences and checksums), allocation-heavy work under the garbage
 * collector (trees, maps, arrays, and a long-lived map), compiled loops
 * whose safepoint polls and implicit null checks fault on purpose (the
 * JVM's own SIGSEGV handler), sleeps and wait/notify, a TCP echo on
 * 127.0.0.1, and a contended lock.  Every result is checked as it is
 * produced; any wrong one prints "FAIL: ..." and exits 1.
 *
 * Prints "READY pid=N port=P", works until its standard input ends,
 * stops every worker (bounded), checks the totals and prints
 * "VERDICT PASS ..." (exit 0).  java.base only.
 */
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

public final class Target {
	static volatile boolean stop;
	static final Map<String, AtomicLong> counts = new LinkedHashMap<>();
	static final List<Thread> workers = new ArrayList<>();

	static void fail(String msg) {
		System.out.println("FAIL: " + msg);
		System.out.flush();
		Runtime.getRuntime().halt(1);
	}

	interface Round {
		void run(long round) throws Exception;
	}

	/* Runs body until stop, counting its rounds under name. */
	static void worker(String name, Round body) {
		AtomicLong c = new AtomicLong();
		synchronized (counts) {
			counts.put(name, c);
		}
		Thread t = new Thread(() -> {
			try {
				for (long r = 0; !stop; r++) {
					body.run(r);
					c.incrementAndGet();
				}
			} catch (Throwable e) {
				fail(name + ": " + e);
			}
		}, name);
		workers.add(t);
	}

	/* ---- producers and consumers ---------------------------------- */

	static final BlockingQueue<long[]> queue = new ArrayBlockingQueue<>(64);
	static final long[] produced = new long[2];
	static final java.util.BitSet[] received = {new java.util.BitSet(), new java.util.BitSet()};

	static long mix(long p, long seq) {
		long x = p * 0x9E3779B97F4A7C15L + seq;
		x ^= x >>> 31;
		return x * 0xBF58476D1CE4E5B9L;
	}

	/* Each message is received once, intact; checked as it comes and,
	 * at the end, all of them. */
	static void receive(long[] m) {
		if (m[0] < 0 || m[0] > 1 || m[2] != mix(m[0], m[1]))
			fail("queue: message " + m[1] + " of producer " + m[0] + " corrupted");
		synchronized (received) {
			if (m[1] < 0 || m[1] >= produced[(int) m[0]] || received[(int) m[0]].get((int) m[1]))
				fail("queue: message " + m[1] + " of producer " + m[0] + " received twice or never sent");
			received[(int) m[0]].set((int) m[1]);
		}
	}

	static void queues() {
		for (int p = 0; p < 2; p++) {
			final int id = p;
			worker("producer" + p, r -> {
				for (int k = 0; k < 100; k++) {
					long s;
					synchronized (received) {
						s = produced[id];
					}
					long[] m = {id, s, mix(id, s)};
					synchronized (received) {
						produced[id]++;	/* before a consumer can see it */
					}
					while (!queue.offer(m, 50, TimeUnit.MILLISECONDS)) {
						if (stop) {
							synchronized (received) {
								produced[id]--;
							}
							return;
						}
					}
				}
			});
		}
		for (int c = 0; c < 2; c++) {
			worker("consumer" + c, r -> {
				long[] m = queue.poll(50, TimeUnit.MILLISECONDS);
				if (m != null)
					receive(m);
			});
		}
	}

	static void drainQueue() {
		long[] m;
		while ((m = queue.poll()) != null)
			receive(m);
		synchronized (received) {
			for (int p = 0; p < 2; p++)
				if (received[p].cardinality() != produced[p] || received[p].nextClearBit(0) != produced[p])
					fail("queue: producer " + p + " sent " + produced[p] + ", " + received[p].cardinality() + " arrived");
		}
	}

	/* ---- garbage ----------------------------------------------------- */

	static final class Node {
		Node left, right;
		final long val;

		Node(Node l, Node r, long v) {
			left = l;
			right = r;
			val = v;
		}
	}

	static Node tree(int depth, long val) {
		if (depth == 0)
			return new Node(null, null, val);
		return new Node(tree(depth - 1, val * 2), tree(depth - 1, val * 2 + 1), val);
	}

	static boolean check(Node n, int depth, long val) {
		if (n.val != val)
			return false;
		if (depth == 0)
			return n.left == null && n.right == null;
		return check(n.left, depth - 1, val * 2) && check(n.right, depth - 1, val * 2 + 1);
	}

	static void garbage() throws Exception {
		final HashMap<Integer, String> longLived = new HashMap<>();
		for (int i = 0; i < 100000; i++)
			longLived.put(i, "value-" + (i * 7));
		for (int g = 0; g < 2; g++) {
			worker("gc" + g, r -> {
				Node t = tree(15, 1);
				HashMap<String, byte[]> m = new HashMap<>();
				for (int i = 0; i < 3000; i++) {
					byte[] b = new byte[i % 500];
					Arrays.fill(b, (byte) i);
					m.put(Integer.toString(i), b);
				}
				byte[] buf = new byte[1 << 20];
				for (int i = 0; i < buf.length; i++)
					buf[i] = (byte) (i * 31);
				byte[] want = MessageDigest.getInstance("SHA-256").digest(buf);
				if (r % 16 == 0)
					System.gc();
				if (!check(t, 15, 1))
					fail("gc: a tree changed under the collector");
				for (int i = 0; i < 3000; i++) {
					byte[] b = m.get(Integer.toString(i));
					if (b.length != i % 500 || (b.length > 0 && (b[0] != (byte) i || b[b.length - 1] != (byte) i)))
						fail("gc: map entry " + i + " changed");
				}
				if (!Arrays.equals(MessageDigest.getInstance("SHA-256").digest(buf), want))
					fail("gc: a buffer changed");
				for (int i = 0; i < 100000; i += 997)
					if (!longLived.get(i).equals("value-" + (i * 7)))
						fail("gc: long-lived entry " + i + " is " + longLived.get(i));
			});
		}
	}

	/* ---- compiled loops, safepoints, implicit null checks ------------ */

	static long lcg(int n, long x) {
		for (int i = 0; i < n; i++) {
			x = x * 6364136223846793005L + 1442695040888963407L;
			x ^= x >>> 29;
		}
		return x;
	}

	static double fsum(int n, double y) {
		double s = 0;
		for (int i = 0; i < n; i++) {
			y = y * 1.0000001 + 0.5;
			if (y > 1e6)
				y -= 1e6;
			s += y * 0.25;
		}
		return s;
	}

	static final class Box {
		int v;

		Box(int v) {
			this.v = v;
		}
	}

	/* Reads b.v: compiled, a null b faults and the JVM turns the
	 * SIGSEGV into a NullPointerException. */
	static int field(Box b) {
		return b.v;
	}

	static void compute() {
		final int n = 5_000_000;
		final long wantI = lcg(n, 12345);
		final double wantF = fsum(n, 3.5);
		worker("spin", r -> {
			long gotI = lcg(n, 12345);
			double gotF = fsum(n, 3.5);
			if (gotI != wantI)
				fail("integer loop: " + gotI + ", expected " + wantI);
			if (Double.doubleToRawLongBits(gotF) != Double.doubleToRawLongBits(wantF))
				fail("float loop: " + gotF + ", expected " + wantF);
		});
		final Box[] boxes = new Box[64];
		long want = 0;
		int nulls = 0;
		for (int i = 0; i < boxes.length; i++) {
			boxes[i] = i % 7 == 3 ? null : new Box(i * 3);
			if (boxes[i] == null)
				nulls++;
			else
				want += i * 3;
		}
		final long wantSum = want;
		final int wantNulls = nulls;
		worker("nullcheck", r -> {
			long sum = 0;
			int npe = 0;
			for (int k = 0; k < 20; k++)
				for (Box b : boxes) {
					try {
						sum += field(b);
					} catch (NullPointerException e) {
						npe++;
					}
				}
			if (sum != 20 * wantSum || npe != 20 * wantNulls)
				fail("null checks: sum " + sum + " npe " + npe + ", expected " + 20 * wantSum + " and " + 20 * wantNulls);
		});
	}

	/* ---- sleeps, wait/notify ----------------------------------------- */

	static final Object pingLock = new Object();
	static long ping, pong;

	static void timing() {
		worker("sleep", r -> {
			long ms = r % 5;
			long t0 = System.nanoTime();
			Thread.sleep(ms);
			long el = System.nanoTime() - t0;
			if (el < ms * 1_000_000L)
				fail("sleep(" + ms + " ms) returned after " + el + " ns");
		});
		worker("ping", r -> {
			synchronized (pingLock) {
				ping++;
				pingLock.notifyAll();
				long deadline = System.nanoTime() + 60_000_000_000L;
				while (pong != ping && !stop) {
					pingLock.wait(100);
					if (System.nanoTime() > deadline)
						fail("pong never came for ping " + ping);
				}
			}
		});
		worker("pong", r -> {
			synchronized (pingLock) {
				while (pong == ping && !stop)
					pingLock.wait(100);
				if (stop)
					return;
				if (ping != pong + 1)
					fail("pong: ping " + ping + " after pong " + pong);
				pong = ping;
				pingLock.notifyAll();
			}
		});
	}

	/* ---- TCP echo ---------------------------------------------------- */

	static void echo(ServerSocket ss) {
		Thread acceptor = new Thread(() -> {
			while (!stop) {
				try {
					Socket s = ss.accept();
					Thread t = new Thread(() -> {
						try (s) {
							InputStream in = s.getInputStream();
							byte[] b = new byte[8192];
							int n;
							while ((n = in.read(b)) > 0)
								s.getOutputStream().write(b, 0, n);
						} catch (IOException e) {
							/* the client went away at the end */
						}
					}, "echo-server");
					t.setDaemon(true);
					t.start();
				} catch (IOException e) {
					if (!stop)
						fail("accept: " + e);
				}
			}
		}, "acceptor");
		acceptor.setDaemon(true);
		acceptor.start();
		for (int g = 0; g < 2; g++) {
			final int id = g;
			final Socket[] sock = {null};
			worker("echo" + g, r -> {
				if (sock[0] == null)
					sock[0] = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
				DataOutputStream out = new DataOutputStream(sock[0].getOutputStream());
				DataInputStream in = new DataInputStream(sock[0].getInputStream());
				int n = (int) ((r * 7919) % 20000);
				byte[] msg = new byte[n];
				for (int i = 0; i < n; i++)
					msg[i] = (byte) (id + r + i);
				CRC32 crc = new CRC32();
				crc.update(msg);
				out.writeLong(r);
				out.writeInt(n);
				out.writeLong(crc.getValue());
				out.write(msg);
				out.flush();
				long gotR = in.readLong();
				int gotN = in.readInt();
				long gotC = in.readLong();
				byte[] got = new byte[gotN < 0 || gotN > 20000 ? 0 : gotN];
				in.readFully(got);
				CRC32 c2 = new CRC32();
				c2.update(got);
				if (gotR != r || gotN != n || gotC != crc.getValue() || c2.getValue() != gotC || !Arrays.equals(got, msg))
					fail("echo: message " + r + " came back changed");
			});
		}
	}

	/* ---- a contended lock -------------------------------------------- */

	static final Object lock = new Object();
	static long shared;
	static final AtomicLong increments = new AtomicLong();

	static void contended() {
		for (int g = 0; g < 3; g++) {
			worker("lock" + g, r -> {
				for (int k = 0; k < 10000; k++) {
					synchronized (lock) {
						shared++;
					}
					increments.incrementAndGet();
				}
				Thread.yield();
			});
		}
	}

	public static void main(String[] args) throws Exception {
		Thread dog = new Thread(() -> {
			try {
				Thread.sleep(300_000);
			} catch (InterruptedException e) {
				return;
			}
			fail("no end of input within 300 s");
		}, "watchdog");
		dog.setDaemon(true);
		dog.start();

		ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		queues();
		garbage();
		compute();
		timing();
		echo(ss);
		contended();
		for (Thread t : workers)
			t.start();
		System.out.println("READY pid=" + ProcessHandle.current().pid() + " port=" + ss.getLocalPort());
		System.out.flush();

		byte[] sink = new byte[4096];
		while (System.in.read(sink) >= 0)
			;
		long t0 = System.nanoTime();
		stop = true;
		ss.close();
		for (Thread t : workers) {
			t.join(60_000);
			if (t.isAlive())
				fail("worker " + t.getName() + " did not stop within 60 s");
		}
		synchronized (lock) {
			if (shared != increments.get())
				fail("lock: counter " + shared + " after " + increments.get() + " increments");
		}
		drainQueue();
		StringBuilder sb = new StringBuilder();
		synchronized (counts) {
			for (Map.Entry<String, AtomicLong> e : counts.entrySet()) {
				if (e.getValue().get() == 0)
					fail("worker " + e.getKey() + " made no progress");
				sb.append(' ').append(e.getKey()).append('=').append(e.getValue().get());
			}
		}
		long gcs = 0;
		for (java.lang.management.GarbageCollectorMXBean b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
			gcs += Math.max(0, b.getCollectionCount());
		if (gcs == 0)
			fail("the garbage collector never ran");
		System.out.printf("VERDICT PASS%s collections=%d stop=%.1fs java%s%n", sb, gcs,
			(System.nanoTime() - t0) / 1e9, System.getProperty("java.version"));
		System.out.flush();
		System.exit(0);
	}
}
