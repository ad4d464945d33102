/**
 * Smoke test of the multi-host harness (environment `cassandra-cluster`): every host is a separate
 * machine as far as Medusa can tell (own hostname, own /etc/medusa and /var/lib/cassandra, reached
 * over SSH), and the nodes form one cluster.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { types } from 'cassandra-driver';
import { clusterNodes } from './cluster-descriptor.js';
import { withCql } from './cql-client.js';
import { countRows, createKeyspace, createTable, writeRows } from './cql-helpers.js';
import { sshOk } from './ssh-exec.js';
import { testCluster } from './test-env.js';

const KS = 'harness_cluster_smoke';

describe('multi-host cluster (cassandra-cluster)', () => {
  const cluster = testCluster();
  const nodes = clusterNodes(cluster);

  after(() => withCql(nodes, async (client) => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${KS}`);
  }));

  test('nodetool status, run over SSH on each host, shows every node UN in dc1', async () => {
    for (const [i, host] of cluster.hosts.entries()) {
      const node = nodes[i];
      assert.ok(node);
      const out = await sshOk(cluster, host, `${node.bin.nodetool} -Dcom.sun.jndi.rmiURLParsing=legacy status`);
      const up = out.split('\n').filter((l) => l.startsWith('UN '));
      assert.equal(up.length, cluster.hosts.length, out);
      for (const h of cluster.hosts) assert.ok(up.some((l) => l.split(/\s+/)[1] === h.address), `${h.address} missing:\n${out}`);
    }
  });

  test('each host answers over SSH with its own hostname, cassandra.yaml and /etc/medusa', async () => {
    for (const host of cluster.hosts) {
      const out = await sshOk(cluster, host, 'hostname; grep ^listen_address: /etc/cassandra/cassandra.yaml; ' +
        'echo "$(hostname)" > /etc/medusa/whoami; cat /etc/medusa/whoami; getent hosts "$(hostname)"');
      const [name, listen, whoami, resolved] = out.trim().split('\n');
      assert.equal(name, host.name);
      assert.equal(listen, `listen_address: ${host.address}`);
      assert.equal(whoami, host.name);
      assert.match(resolved ?? '', new RegExp(`^${host.address.replace(/\./g, '\\.')}\\s+${host.name}$`));
    }
    // Each /etc/medusa is private to its host.
    for (const host of cluster.hosts) {
      assert.equal((await sshOk(cluster, host, 'cat /etc/medusa/whoami')).trim(), host.name);
    }
  });

  test('the nodes form one cluster: racks per host, deterministic tokens, replicated writes', async () => {
    for (const node of nodes) {
      await withCql([node], async (one) => {
        const local = (await one.execute('SELECT tokens, rack, data_center FROM system.local')).first();
        const tokens = (local.get('tokens') as string[]).slice().sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        assert.deepEqual(tokens, node.tokens);
        assert.equal(local.get('rack'), node.rack);
        assert.equal(local.get('data_center'), 'dc1');
        const peers = (await one.execute('SELECT peer FROM system.peers_v2')).rows.map((r) => String(r.get('peer')));
        assert.deepEqual(peers.sort(), nodes.filter((n) => n !== node).map((n) => n.host).sort());
      });
    }
    await withCql(nodes, async (client) => {
      await createKeyspace(client, KS, { dc1: nodes.length });
      await createTable(client, KS, 'rows');
      await writeRows(client, KS, 'rows', 100);
      assert.equal(await countRows(client, KS, 'rows'), 100);
    });
    for (const node of nodes) {
      // RF = number of hosts, so every replica holds every row and any one of them gives the full count.
      const n = await withCql([node], async (one) => {
        const result = await one.execute(`SELECT COUNT(*) AS n FROM ${KS}.rows`, [], { consistency: types.consistencies.one });
        return Number(result.first().get('n') as unknown);
      });
      assert.equal(n, 100);
    }
  });
});
