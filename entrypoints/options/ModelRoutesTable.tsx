import type { ModelId } from '@/utils/models';
import type { ModelRouteRow } from './route-views';
import { i18n } from '#i18n';

export interface ModelRoutesTableProps {
  rows: ModelRouteRow[];
  /** routeId '' means automatic. */
  onChoose: (modelId: ModelId, routeId: string) => void;
}

/** Every model: the route it runs on, why, and a picker to choose one. */
export function ModelRoutesTable({ rows, onChoose }: ModelRoutesTableProps) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{i18n.t('options.columnModel')}</th>
          <th scope="col">{i18n.t('options.columnRunsOn')}</th>
          <th scope="col">{i18n.t('options.columnWhy')}</th>
          <th scope="col">{i18n.t('options.columnRoute')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.modelId}>
            <th scope="row">{row.modelName}</th>
            <td>{row.runsOn}</td>
            <td>{row.why}</td>
            <td>
              <select aria-label={i18n.t('options.routePicker', [row.modelName])} value={row.chosen} onChange={(e) => onChoose(row.modelId, e.target.value)}>
                <option value="">{i18n.t('options.automatic')}</option>
                {row.choices.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
