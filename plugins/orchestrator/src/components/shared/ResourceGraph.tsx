import { DependencyGraph, DependencyGraphTypes } from '@backstage/core-components';
import { statusColour } from './StatusChip';

/** A node to draw: what it is, its status (colours it) and what it depends on. */
export interface ResourceGraphNode {
  uid: string;
  label: string;
  status?: string;
  dependsOn: string[];
  /** Drawn with a thick outline, e.g. the resource whose page this is. */
  marked?: boolean;
}

type NodeData = { label: string; status?: string; marked?: boolean };

const CHAR_WIDTH = 7.5;
const PADDING = 16;

/**
 * A resource graph, dependencies pointing at what they need, each node
 * coloured by its status; clicking a node calls `onSelect` with its uid.
 */
export const ResourceGraph = (props: { nodes: ResourceGraphNode[]; onSelect?: (uid: string) => void }) => {
  const known = new Set(props.nodes.map(n => n.uid));
  const nodes = props.nodes.map(n => ({ id: n.uid, label: n.label, status: n.status, marked: n.marked }));
  const edges = props.nodes.flatMap(n => n.dependsOn.filter(to => known.has(to)).map(to => ({ from: n.uid, to })));
  const renderNode = ({ node }: DependencyGraphTypes.RenderNodeProps<NodeData>) => {
    // The marked node says so in text too, not only by its outline.
    const text = `${node.marked ? '▶ ' : ''}${node.label}${node.status ? ` · ${node.status}` : ''}`;
    const width = Math.round(text.length * CHAR_WIDTH + 2 * PADDING);
    return (
      <g
        role="button"
        aria-label={node.label}
        aria-current={node.marked ? 'true' : undefined}
        data-status={node.status ?? 'unknown'}
        style={{ cursor: props.onSelect ? 'pointer' : undefined }}
        onClick={() => props.onSelect?.(node.id)}
      >
        <rect
          width={width}
          height={32}
          rx={6}
          fill={statusColour(node.status)}
          stroke={node.marked ? '#000' : 'none'}
          strokeWidth={node.marked ? 3 : 0}
        />
        <text x={width / 2} y={16} textAnchor="middle" alignmentBaseline="middle" fill="#fff" style={{ fontSize: 12 }}>
          {text}
        </text>
      </g>
    );
  };
  return (
    <DependencyGraph<NodeData, {}>
      nodes={nodes}
      edges={edges}
      renderNode={renderNode}
      direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
      paddingX={20}
      paddingY={20}
      zoom="enable-on-click"
      fit="contain"
      style={{ maxHeight: 480 }}
    />
  );
};
