// selectGroups (spreadconstraint/select_groups.go): choose which groups (regions, zones, providers) to use so
// that the group count stays within [minGroups, maxGroups] and the groups together hold at least `target`
// clusters (the cluster constraint's minGroups). Every feasible combination is found by DFS over the groups
// sorted by cluster count asc, score desc, name asc; the best is the one with the highest summed score, then
// the most clusters, then the first found — unless a shorter feasible path is a prefix of it, which wins.

export interface GroupCandidate {
  name: string;
  /** clusters in the group */
  value: number;
  /** the group's score */
  weight: number;
}

interface DfsPath {
  id: number;
  groups: GroupCandidate[];
  weight: number;
  value: number;
}

const byWeightThenName = (a: GroupCandidate, b: GroupCandidate) => (a.weight !== b.weight ? b.weight - a.weight : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function selectGroups(groups: GroupCandidate[], minConstraint: number, maxConstraint: number, target: number): GroupCandidate[] {
  if (groups.length === 0) return [];
  const paths = findFeasiblePaths(groups, minConstraint, maxConstraint, target);
  if (paths.length === 0) return [];
  return prioritizePaths(paths).groups;
}

export function findFeasiblePaths(groups: GroupCandidate[], minConstraint: number, maxConstraint: number, target: number): DfsPath[] {
  const sorted = [...groups].sort((a, b) => {
    if (a.value !== b.value) return a.value - b.value;
    if (a.weight !== b.weight) return b.weight - a.weight;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  const paths: DfsPath[] = [];
  const current: GroupCandidate[] = [];
  let nextId = 0;
  const dfs = (sum: number, begin: number) => {
    if (sum >= target && current.length >= minConstraint && current.length <= maxConstraint) {
      const gs = [...current].sort(byWeightThenName);
      let weight = 0;
      let value = 0;
      for (const g of gs) {
        weight += g.weight;
        value += g.value;
      }
      paths.push({ id: ++nextId, groups: gs, weight, value });
      return;
    }
    if (current.length >= maxConstraint) return;
    for (let i = begin; i < sorted.length; i++) {
      current.push(sorted[i]!);
      dfs(sum + sorted[i]!.value, i + 1);
      current.pop();
    }
  };
  dfs(0, 0);
  return paths;
}

function isPrefixOf(sub: DfsPath, path: DfsPath): boolean {
  if (sub.groups.length >= path.groups.length) return false;
  return sub.groups.every((g, i) => path.groups[i]!.name === g.name);
}

function prioritizePaths(paths: DfsPath[]): DfsPath {
  if (paths.length === 1) return paths[0]!;
  const sorted = [...paths].sort((a, b) => (a.weight !== b.weight ? b.weight - a.weight : a.value !== b.value ? b.value - a.value : a.id - b.id));
  let best = sorted[0]!;
  for (let i = 1; i < sorted.length; i++) if (isPrefixOf(sorted[i]!, best)) best = sorted[i]!;
  return best;
}
