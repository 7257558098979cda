#!/usr/bin/env bash
# Finds or provisions Temporal's time-skipping test server (the Java one, io.temporal:temporal-test-server
# from Maven Central) and prints the path of a wrapper that runs it on the port it is given, the way
# @temporalio/testing's TestWorkflowEnvironment.createTimeSkipping starts an 'existing-path' executable.
# Needs Java 17+ and mvn the first time; the classpath is cached under .tools/temporal-test-server/.
# Order: TEMPORAL_TEST_SERVER_PATH, the cached wrapper, a fetch with mvn.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${TEMPORAL_TEST_SERVER_VERSION:-1.31.0}"
home="$root/.tools/temporal-test-server"
wrapper="$root/.tools/bin/temporal-test-server"

if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
  [ -x "$TEMPORAL_TEST_SERVER_PATH" ] && { echo "$TEMPORAL_TEST_SERVER_PATH"; exit 0; }
  echo "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not executable" >&2; exit 1
fi
if [ -x "$wrapper" ] && [ -f "$home/lib/temporal-test-server-$version.jar" ]; then echo "$wrapper"; exit 0; fi

command -v java >/dev/null 2>&1 || { echo "the time-skipping test server needs Java 17+ (java on PATH)" >&2; exit 1; }
command -v mvn >/dev/null 2>&1 || { echo "fetching the time-skipping test server needs mvn on PATH" >&2; exit 1; }
mkdir -p "$home" "$(dirname "$wrapper")"
cat >"$home/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tourniquet</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
POM
echo "fetching io.temporal:temporal-test-server:$version from Maven Central (first run only)..." >&2
rm -rf "$home/lib"
(cd "$home" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib >&2)
cat >"$wrapper" <<'SH'
#!/usr/bin/env bash
# Temporal's Java test server (time skipping), started as `temporal-test-server <port> [flags]`.
# exec: the PID the SDK holds and kills is the JVM itself.
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../temporal-test-server" && pwd)"
exec java -Xss1m -XX:+UseSerialGC -cp "$home/lib/*" io.temporal.testserver.TestServer "$@"
SH
chmod +x "$wrapper"
echo "$wrapper"
