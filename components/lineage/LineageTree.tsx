import { useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';
import { i18n } from '#i18n';
import type { LineageNode, LineageTree as Tree } from '@/utils/store/lineage';

export interface LineageTreeProps {
  tree: Tree;
  /** The job the user came from: marked, and where keyboard focus starts. */
  focusJobId: string;
  renderThumb: (resultId: string) => ReactNode;
  modelName: (modelId: string) => string;
  onOpen: (jobId: string) => void;
  onRestart: (jobId: string) => void;
  /**
   * Moves the keyboard focus to the current item when the tree is first shown. For a tree that
   * replaces what had the focus (the viewer's "Show lineage"), which would otherwise leave the
   * focus on the page itself, far from the tree.
   */
  focusOnMount?: boolean;
}

/** One visible row: the tree flattened in reading order, skipping collapsed branches. */
interface Row {
  node: LineageNode;
  level: number;
  setSize: number;
  posInSet: number;
  parentId: string | null;
  childIds: string[];
}

/** Indentation stops growing here, so long chains stay readable in a 360 px panel. */
const MAX_INDENT = 6;

/**
 * The iterations of one image as a tree (WAI-ARIA tree pattern, flat markup with aria-level,
 * aria-setsize and aria-posinset, so a chain thousands deep does not nest thousands of
 * elements). One item is tabbable at a time; arrows walk, Right and Left open and close,
 * Home and End jump, Enter opens a job. The active item's button is the next tab stop.
 */
export function LineageTree({ tree, focusJobId, renderThumb, modelName, onOpen, onRestart, focusOnMount = false }: LineageTreeProps) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [active, setActive] = useState(focusJobId);
  const items = useRef(new Map<string, HTMLLIElement>());

  // Only when first shown: a tree that changes later must not pull the focus back to it.
  const initialFocus = useRef(focusOnMount ? focusJobId : null);
  useEffect(() => {
    if (initialFocus.current) items.current.get(initialFocus.current)?.focus();
  }, []);

  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const activeId = rows.some((r) => r.node.jobId === active) ? active : (rows.find((r) => r.node.jobId === focusJobId) ?? rows[0])?.node.jobId;

  function moveTo(jobId: string | undefined) {
    if (!jobId) return;
    setActive(jobId);
    items.current.get(jobId)?.focus();
  }

  function setOpen(jobId: string, open: boolean) {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (open) next.delete(jobId);
      else next.add(jobId);
      return next;
    });
  }

  function onKeyDown(e: KeyboardEvent<HTMLLIElement>, index: number) {
    // Keys pressed on the button inside an item belong to the button.
    if (e.target !== e.currentTarget) return;
    const row = rows[index]!;
    const id = row.node.jobId;
    const expanded = row.childIds.length > 0 && !collapsed.has(id);
    switch (e.key) {
      case 'ArrowDown':
        moveTo(rows[index + 1]?.node.jobId);
        break;
      case 'ArrowUp':
        moveTo(rows[index - 1]?.node.jobId);
        break;
      case 'Home':
        moveTo(rows[0]?.node.jobId);
        break;
      case 'End':
        moveTo(rows.at(-1)?.node.jobId);
        break;
      case 'ArrowRight':
        if (row.childIds.length === 0) return;
        if (expanded) moveTo(row.childIds[0]);
        else setOpen(id, true);
        break;
      case 'ArrowLeft':
        if (expanded) setOpen(id, false);
        else if (row.parentId) moveTo(row.parentId);
        else return;
        break;
      case 'Enter':
        if (row.node.missing) return;
        onOpen(id);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  return (
    <ul role="tree" aria-label={i18n.t('lineage.treeLabel')} className="lineage-tree">
      {rows.map((row, index) => {
        const { node } = row;
        const id = node.jobId;
        const isActive = id === activeId;
        const hasChildren = row.childIds.length > 0;
        const expanded = hasChildren ? !collapsed.has(id) : undefined;
        const name = node.missing ? i18n.t('lineage.missing') : i18n.t('lineage.itemLabel', [shorten(node.prompt), modelName(node.modelId)]);
        return (
          <li
            key={id}
            ref={(el) => {
              if (el) items.current.set(id, el);
              else items.current.delete(id);
            }}
            role="treeitem"
            aria-label={name}
            aria-level={row.level}
            aria-setsize={row.setSize}
            aria-posinset={row.posInSet}
            aria-expanded={expanded}
            aria-selected={isActive}
            aria-current={id === focusJobId ? 'true' : undefined}
            tabIndex={isActive ? 0 : -1}
            className={`lineage-item${id === focusJobId ? ' current' : ''}${node.missing ? ' missing' : ''}`}
            style={{ '--lineage-indent': Math.min(row.level - 1, MAX_INDENT) } as CSSProperties}
            onKeyDown={(e) => onKeyDown(e, index)}
            onFocus={(e) => {
              if (e.target === e.currentTarget) setActive(id);
            }}
            onClick={(e) => {
              if ((e.target as HTMLElement).closest('button')) return;
              setActive(id);
              if (!node.missing) onOpen(id);
            }}
          >
            <span
              className="lineage-twisty"
              aria-hidden="true"
              onClick={(e) => {
                if (!hasChildren) return;
                e.stopPropagation();
                setOpen(id, !expanded);
              }}
            >
              {hasChildren ? (expanded ? '\u25be' : '\u25b8') : ''}
            </span>
            <span className="lineage-thumb">
              {!node.missing && node.firstResultId ? renderThumb(node.firstResultId) : <span className="lineage-nothumb">{node.missing ? '' : i18n.t('lineage.noImage')}</span>}
            </span>
            {node.missing ? (
              <span className="lineage-text muted">{i18n.t('lineage.missing')}</span>
            ) : (
              <span className="lineage-text">
                <span className="lineage-prompt" title={node.prompt}>
                  {shorten(node.prompt)}
                </span>
                <span className="lineage-model">
                  {modelName(node.modelId)}
                  {id === focusJobId ? <span className="badge">{i18n.t('lineage.current')}</span> : null}
                </span>
              </span>
            )}
            {node.missing ? null : (
              <button type="button" className="lineage-restart" tabIndex={isActive ? 0 : -1} onClick={() => onRestart(id)}>
                {i18n.t('lineage.restart')}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Prompts can be pages long; a name read out for every item should not be. */
function shorten(prompt: string, max = 80): string {
  const flat = prompt.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}\u2026` : flat;
}

function visibleRows(tree: Tree, collapsed: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  // Depth first without recursion: a chain may be thousands deep.
  const stack: { branch: Tree; level: number; setSize: number; posInSet: number; parentId: string | null }[] = [
    { branch: tree, level: 1, setSize: 1, posInSet: 1, parentId: null },
  ];
  while (stack.length) {
    const { branch, level, setSize, posInSet, parentId } = stack.pop()!;
    const id = branch.node.jobId;
    rows.push({ node: branch.node, level, setSize, posInSet, parentId, childIds: branch.children.map((c) => c.node.jobId) });
    if (collapsed.has(id)) continue;
    for (let i = branch.children.length - 1; i >= 0; i--) {
      stack.push({ branch: branch.children[i]!, level: level + 1, setSize: branch.children.length, posInSet: i + 1, parentId: id });
    }
  }
  return rows;
}
