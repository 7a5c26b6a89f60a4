/**
 * The notification bell: the unread count (also in the tab's title), the latest alerts with
 * "Mark all read", and browser notifications for new alerts once the user opts in. The count is
 * refetched when the live stream says a notification arrived, never on a timer. The panel takes
 * the focus when opened and gives it back to the bell when closed (Close, Escape, or a click
 * elsewhere); on a phone it spans the screen's width under the top bar and scrolls within itself.
 */
import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Notification as Alert } from '../../../src/api-types';
import { api, post } from '../api';
import { when, withLocalTimes } from '../format';
import { ErrorNote, useAction } from './ui';

const OPT_IN = 'kept.browserNotifications';

export function Bell() {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const close = () => { setOpen(false); button.current?.focus(); };
  const count = useQuery({ queryKey: ['notifications', 'count'], queryFn: () => api<{ unread: number }>('/notifications/unread-count') });
  const list = useQuery({ queryKey: ['notifications', 'latest'], queryFn: () => api<{ items: Alert[] }>('/notifications?limit=15'), enabled: open });
  const unread = count.data?.unread ?? 0;
  const [optedIn, setOptedIn] = useState(() => typeof Notification !== 'undefined' && Notification.permission === 'granted' && localStorage.getItem(OPT_IN) === 'yes');
  const seen = useRef<number | null>(null);

  useEffect(() => {
    document.title = unread ? `(${unread}) Kept` : 'Kept';
  }, [unread]);

  // A new alert while the tab is in the background: a browser notification, if asked for.
  useEffect(() => {
    if (seen.current !== null && unread > seen.current && optedIn && document.hidden) {
      void api<{ items: Alert[] }>('/notifications?unread=true&limit=1').then((r) => {
        const n = r.items[0];
        if (n) new Notification('Kept', { body: withLocalTimes(n.message), tag: `kept-${n.id}` });
      });
    }
    seen.current = unread;
  }, [unread, optedIn]);

  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') { e.stopPropagation(); setOpen(false); button.current?.focus(); } };
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!panel.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('mousedown', onDown);
    return () => { document.removeEventListener('keydown', onKey, true); document.removeEventListener('mousedown', onDown); };
  }, [open]);

  const readAll = useAction(async () => {
    const newest = list.data?.items[0]?.id;
    await post('/notifications/read-all', newest ? { upToId: newest } : {});
    await qc.invalidateQueries({ queryKey: ['notifications'] });
  });
  const optIn = async () => {
    const p = await Notification.requestPermission();
    localStorage.setItem(OPT_IN, p === 'granted' ? 'yes' : 'no');
    setOptedIn(p === 'granted');
  };

  return (
    <div className="bell">
      <button ref={button} type="button" className="bell-button" aria-expanded={open} aria-controls="bell-panel" onClick={() => setOpen(!open)}>
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" fill="currentColor"><path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm5-5V7a5 5 0 0 0-4-4.9V1a1 1 0 0 0-2 0v1.1A5 5 0 0 0 3 7v4l-1.3 1.3A.5.5 0 0 0 2 13h12a.5.5 0 0 0 .3-.7z" /></svg><span className="sr">Notifications</span>
        {unread ? <span className="badge" data-testid="unread">{unread}<span className="sr"> unread</span></span> : null}
      </button>
      {open ? (
        <div ref={panel} id="bell-panel" className="bell-panel card" role="region" aria-label="Notifications" tabIndex={-1}>
          <div className="row">
            <strong className="grow">{unread ? `${unread} unread` : 'All read'}</strong>
            {unread ? <button type="button" className="secondary" onClick={() => void readAll.run()} disabled={readAll.busy}>Mark all read</button> : null}
            <button type="button" className="secondary" onClick={close}>Close<span className="sr"> notifications</span></button>
          </div>
          <ErrorNote error={readAll.error} />
          <ul className="list">{(list.data?.items ?? []).map((n) => (
            <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
              {n.caseId ? <Link href={`/cases/${n.caseId}`} onClick={() => setOpen(false)}>{withLocalTimes(n.message)}</Link> : withLocalTimes(n.message)}
              <div className="meta">{n.readAt ? '' : 'new · '}{when(n.createdAt)}</div>
            </li>
          ))}</ul>
          {typeof Notification !== 'undefined' && !optedIn && Notification.permission !== 'denied'
            ? <button type="button" className="link" onClick={() => void optIn()}>Show browser notifications for new alerts</button>
            : optedIn ? <p className="meta">Browser notifications are on.</p> : null}
        </div>
      ) : null}
    </div>
  );
}
