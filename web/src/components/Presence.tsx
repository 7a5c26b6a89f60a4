/**
 * Who else has this case open, live: "Bruno Silva is viewing", "… is typing". This screen says
 * it is here every 20 seconds and when typing starts (at most every 5 seconds); what it hears
 * about others comes over the live event stream, and fades after 45 seconds of silence.
 */
import { useEffect, useState } from 'react';
import { post } from '../api';
import { useMe } from '../session';

type Seen = { staffId: number; name: string; state: 'viewing' | 'typing'; at: number };
const BEAT_MS = 20_000;
const FADE_MS = 45_000;
const TYPING_MS = 8_000;

export function Presence({ caseId }: { caseId: number }) {
  const me = useMe().data;
  const [others, setOthers] = useState<Map<number, Seen>>(new Map());
  const [, tick] = useState(0);

  useEffect(() => {
    const say = (state: 'viewing' | 'typing' | 'left') => post(`/cases/${caseId}/presence`, { state }).catch(() => {});
    void say('viewing');
    const beat = setInterval(() => void say('viewing'), BEAT_MS);
    const fade = setInterval(() => tick((n) => n + 1), 5_000);
    let lastTyping = 0;
    const onInput = (e: Event) => {
      if (!(e.target as HTMLElement).closest?.('.composer')) return;
      if (Date.now() - lastTyping < 5_000) return;
      lastTyping = Date.now();
      void say('typing');
    };
    const onPresence = (e: Event) => {
      const p = (e as CustomEvent<{ caseId: number; staffId: number; name: string; state: Seen['state'] | 'left' }>).detail;
      if (p.caseId !== caseId) return;
      setOthers((m) => {
        const next = new Map(m);
        if (p.state === 'left') next.delete(p.staffId);
        else next.set(p.staffId, { staffId: p.staffId, name: p.name, state: p.state, at: Date.now() });
        return next;
      });
    };
    document.addEventListener('input', onInput);
    window.addEventListener('kept-presence', onPresence);
    return () => {
      clearInterval(beat);
      clearInterval(fade);
      document.removeEventListener('input', onInput);
      window.removeEventListener('kept-presence', onPresence);
      void say('left');
    };
  }, [caseId]);

  const now = Date.now();
  const here = [...others.values()].filter((s) => s.staffId !== me?.id && now - s.at < FADE_MS);
  if (!here.length) return null;
  return (
    <p className="presence" role="status" data-testid="presence">
      {here.map((s) => `${s.name} is ${s.state === 'typing' && now - s.at < TYPING_MS ? 'typing a reply' : 'viewing this case'}`).join(' · ')}
    </p>
  );
}
