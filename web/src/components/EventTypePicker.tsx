/** Choosing which domain events an endpoint receives: all of them, or types picked by group. */
import { useId } from 'react';
import { EVENT_TYPES } from '../../../src/events/catalogue';

// webhook.test reaches only the endpoint it was sent for, whatever that endpoint subscribes to:
// subscribing to it would change nothing, so it is not offered.
const CHOOSABLE = EVENT_TYPES.filter((t) => t !== 'webhook.test');
const prefixOf = (type: string) => type.split('.')[0]!;
const GROUPS = [...new Set(CHOOSABLE.map(prefixOf))].map((prefix) => ({ prefix, types: CHOOSABLE.filter((t) => prefixOf(t) === prefix) }));

/** `value` is what the API takes: ['*'] for every event, or the chosen type names. */
export function EventTypePicker({ value, onChange }: { value: string[]; onChange: (value: string[]) => void }) {
  const name = useId();
  const all = value.includes('*');
  const toggle = (type: string, on: boolean) => onChange(on ? [...value, type] : value.filter((t) => t !== type));
  return (
    <fieldset>
      <legend>Events to send</legend>
      <label className="check"><input type="radio" name={name} checked={all} onChange={() => onChange(['*'])} /> All events, including types added later</label>
      <label className="check"><input type="radio" name={name} checked={!all} onChange={() => onChange([])} /> Only the types I choose</label>
      {all ? null : (
        <div className="event-groups">
          {GROUPS.map((g) => (
            <fieldset key={g.prefix}>
              <legend>{g.prefix}</legend>
              {g.types.map((t) => (
                <label key={t} className="check"><input type="checkbox" checked={value.includes(t)} onChange={(e) => toggle(t, e.target.checked)} /> {t}</label>
              ))}
            </fieldset>
          ))}
        </div>
      )}
    </fieldset>
  );
}
