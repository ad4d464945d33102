/**
 * Deterministic Murmur3 tokens for harness nodes, so a test can predict a node's token ranges and
 * restore tests see the same token map on every run. Node `i` of `n` gets `numTokens` tokens
 * spread evenly over the ring and interleaved with the other nodes' tokens.
 */

const RING_START = -(2n ** 63n);
const RING_SIZE = 2n ** 64n;

/**
 * The initial tokens of node `index` (0-based) in a cluster of `nodeCount` nodes with `numTokens`
 * vnodes each, ascending, as decimal strings (the form cassandra.yaml's `initial_token` takes).
 * Different indexes of the same cluster never share a token.
 */
export function initialTokens(index: number, nodeCount: number, numTokens: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= nodeCount) {
    throw new RangeError(`node index ${index} is outside 0..${nodeCount - 1}`);
  }
  if (!Number.isInteger(numTokens) || numTokens < 1) throw new RangeError(`num_tokens must be >= 1, got ${numTokens}`);
  const slots = BigInt(nodeCount * numTokens);
  const tokens: string[] = [];
  for (let v = 0; v < numTokens; v++) {
    const slot = BigInt(v * nodeCount + index);
    // Centre of the slot, which keeps clear of the ring's minimum token (a value no key hashes to).
    tokens.push((RING_START + ((2n * slot + 1n) * RING_SIZE) / (2n * slots)).toString());
  }
  return tokens;
}
