import type { Id, Json, Timestamp } from '../core/db/columns';

/** What Queues filters by, as the screen holds it; "mine", "my team" and "at risk" are read for whoever looks. */
export interface ViewFilters {
  view: 'mine' | 'team' | 'unowned' | 'at-risk' | 'waiting' | 'open' | 'all';
  team: string;
  tag: string;
  priority: string;
  channel: string;
  touchpoint: string;
  search: string;
}

export interface SavedViewTable {
  id: Id;
  name: string;
  filters: Json<ViewFilters>;
  owner_id: number | null;
  team_id: number | null;
  created_by_id: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}
