/**
 * The JVM flags a Cassandra 5.0 node and its command-line tools start with on Java 17. The facts
 * come from Cassandra's launch files (conf/jvm-server.options, conf/jvm17-server.options,
 * conf/jvm17-clients.options, conf/cassandra-env.sh, bin/nodetool); the selection is ours: flags
 * that only pay off on big production heaps (AlwaysPreTouch, 16m G1 regions, heap dumps) are left
 * out so a test node starts fast and small.
 */

/** Module access Cassandra's server code needs on Java 17 (from jvm17-server.options). */
const SERVER_MODULE_ACCESS = [
  ...['java.base/jdk.internal.misc', 'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry', 'java.rmi/sun.rmi.server', 'java.sql/java.sql', 'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc', 'jdk.compiler/com.sun.tools.javac.file', 'jdk.attach/sun.tools.attach',
  ].map((m) => `--add-exports=${m}=ALL-UNNAMED`),
  ...['java.base/java.lang.module', 'java.base/jdk.internal.loader', 'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect', 'java.base/jdk.internal.math', 'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar', 'jdk.management/com.sun.management.internal', 'java.base/sun.nio.ch',
    'java.base/java.io', 'java.base/java.lang.reflect', 'jdk.compiler/com.sun.tools.javac', 'java.base/java.lang',
    'java.base/java.util',
  ].map((m) => `--add-opens=${m}=ALL-UNNAMED`),
];

/** Module access the tools (nodetool, sstableloader) need on Java 17 (from jvm17-clients.options). */
const CLIENT_MODULE_ACCESS = [
  ...['java.base/jdk.internal.misc', 'java.base/jdk.internal.ref', 'java.base/sun.nio.ch',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi', 'java.rmi/sun.rmi.registry', 'java.rmi/sun.rmi.server',
    'java.sql/java.sql', 'jdk.unsupported/sun.misc', 'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ].map((m) => `--add-exports=${m}=ALL-UNNAMED`),
  ...['java.base/java.lang.module', 'java.base/jdk.internal.loader', 'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect', 'java.base/jdk.internal.math', 'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar', 'jdk.management/com.sun.management.internal', 'java.base/sun.nio.ch',
    'java.base/java.io', 'java.base/java.util.concurrent', 'java.base/java.util',
    'java.base/java.util.concurrent.atomic', 'java.base/java.lang', 'java.base/java.math',
    'jdk.compiler/com.sun.tools.javac', 'java.base/java.lang.reflect', 'java.base/java.net',
  ].map((m) => `--add-opens=${m}=ALL-UNNAMED`),
];

/** What varies between nodes in the server command line. */
export interface ServerJvmSettings {
  heap: string;
  jammJar: string;
  jmxPort: number;
  /** RING_DELAY in ms: how long a joining node waits for gossip; small is fine on one machine. */
  ringDelayMs: number;
}

/**
 * Every JVM flag of a node except the config-file properties, in the order Cassandra's scripts
 * produce them. Callers may rely on: JMX listens on 127.0.0.1 only (as with LOCAL_JMX=yes), without
 * authentication; the JVM exits on OutOfMemoryError.
 */
export function serverJvmOptions(s: ServerJvmSettings): string[] {
  return [
    '-ea', '-da:net.openhft...', '-XX:+UseThreadPriorities', '-Xss256k', '-XX:+UseTLAB', '-XX:+ResizeTLAB',
    '-XX:+PerfDisableSharedMem', '-Djava.net.preferIPv4Stack=true',
    `-Xms${s.heap}`, `-Xmx${s.heap}`,
    '-XX:+UseG1GC', '-XX:+ParallelRefProcEnabled', '-XX:MaxTenuringThreshold=1', '-XX:MaxGCPauseMillis=300',
    '-XX:InitiatingHeapOccupancyPercent=70', '-XX:+ExitOnOutOfMemoryError',
    '-Djdk.attach.allowAttachSelf=true', ...SERVER_MODULE_ACCESS,
    '-Dio.netty.tryReflectionSetAccessible=true', '-Dio.netty.allocator.useCacheForAllThreads=true',
    '-Dio.netty.allocator.maxOrder=11',
    `-javaagent:${s.jammJar}`,
    `-Dcassandra.jmx.local.port=${s.jmxPort}`, '-Dcom.sun.management.jmxremote.authenticate=false',
    // Test speed-ups: nothing else shares this ring, so waiting for gossip to settle buys nothing.
    '-Dcassandra.skip_wait_for_gossip_to_settle=0', `-Dcassandra.ring_delay_ms=${s.ringDelayMs}`,
    '-Dcassandra-foreground=yes',
  ];
}

/**
 * JVM flags for a short-lived tool process (nodetool, sstableloader), as bin/nodetool builds them,
 * plus two flags that only shorten JVM start-up (client compiler only, serial GC).
 */
export function clientJvmOptions(heap: string): string[] {
  return [
    '-ea', `-Xmx${heap}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.net.preferIPv4Stack=true',
    '-Djdk.attach.allowAttachSelf=true', ...CLIENT_MODULE_ACCESS,
  ];
}
