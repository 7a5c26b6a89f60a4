/**
 * Live updates: one EventSource per tab. Events only say what changed; the screens refetch
 * through the API, so what they show is always what the API allows.
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';

export function useLiveUpdates(enabled: boolean) {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/v1/live');
    const onCase = (e: MessageEvent) => {
      const { caseId } = JSON.parse(e.data) as { caseId: number };
      void qc.invalidateQueries({ queryKey: ['case', caseId] });
      void qc.invalidateQueries({ queryKey: ['my-work'] });
      void qc.invalidateQueries({ queryKey: ['cases'] });
    };
    const onNotification = () => {
      void qc.invalidateQueries({ queryKey: ['my-work'] });
      void qc.invalidateQueries({ queryKey: ['notifications'] });
    };
    // Chats: screens refetch; typing is passed on to the open chat panel.
    const onChat = (e: MessageEvent) => {
      const d = JSON.parse(e.data) as { kind: string; conversationId: number | null; author?: string };
      if (d.kind === 'typing') window.dispatchEvent(new CustomEvent('kept-chat-typing', { detail: d }));
      else void qc.invalidateQueries({ queryKey: ['chat'] });
    };
    // Presence is for the case screen only: passed on as a DOM event, never a refetch.
    const onPresence = (e: MessageEvent) => window.dispatchEvent(new CustomEvent('kept-presence', { detail: JSON.parse(e.data) as unknown }));
    source.addEventListener('presence', onPresence);
    source.addEventListener('case', onCase);
    source.addEventListener('chat', onChat);
    source.addEventListener('notification', onNotification);
    return () => source.close();
  }, [enabled, qc]);
}
