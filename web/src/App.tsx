import { Link, Route, Switch, useLocation } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MyWork as MyWorkData } from '../../src/api-types';
import { api, post } from './api';
import { useMe } from './session';
import { useLiveUpdates } from './live';
import { SignIn } from './routes/SignIn';
import { MyWork } from './routes/MyWork';
import { CasePage } from './routes/CasePage';
import { Queues } from './routes/Queues';
import { Customers, CustomerPage } from './routes/Customers';
import { Settings } from './routes/Settings';
import { Account } from './routes/Account';
import { Review } from './routes/Review';
import { NewCase } from './routes/NewCase';
import { ChatDesk } from './routes/Chat';
import { LiveQueue } from './routes/LiveQueue';
import { Staffing } from './routes/Staffing';
import { Drivers } from './routes/Drivers';
import { Loyalty } from './routes/Loyalty';
import { Bell } from './components/Bell';
import { DraftsNotice } from './components/DraftsNotice';
import { DemoProgress } from './components/DemoProgress';
import { GlobalSearch } from './components/GlobalSearch';
import { attentionCount } from './routes/MyWork';
import { Search } from './routes/Search';
import { Dashboard } from './routes/Dashboard';
import { Macros } from './routes/Macros';

export function App() {
  const me = useMe();
  useLiveUpdates(!!me.data);
  if (me.isPending) return <p className="loading">Loading…</p>;
  if (!me.data) return <SignIn />;
  return <Shell />;
}

function Shell() {
  const me = useMe().data!;
  const qc = useQueryClient();
  const [location, navigate] = useLocation();
  const work = useQuery({ queryKey: ['my-work'], queryFn: () => api<MyWorkData>('/my-work') });
  const c = work.data?.counts;
  const signOut = async () => {
    await post('/auth/sign-out');
    // Unsent drafts hold customers' details: they do not outlive the session on a shared computer.
    for (const key of Object.keys(localStorage)) if (key.startsWith('kept.draft.')) localStorage.removeItem(key);
    qc.clear();
    navigate('/');
    await qc.invalidateQueries({ queryKey: ['me'] });
  };
  const nav = (href: string, text: string, count?: number, countLabel?: string) => (
    <Link href={href} className={location === href || (href !== '/' && location.startsWith(href)) ? 'active' : ''} aria-current={location === href ? 'page' : undefined}>
      {text}
      {count ? <span className="badge" aria-label={countLabel}>{count}</span> : null}
    </Link>
  );
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <span className="brand">Kept</span>
        <nav aria-label="Main">
          {nav('/', 'My work', c ? attentionCount(c) : 0, 'items need your attention')}
          {me.role !== 'executive' ? nav('/cases/new', 'New case') : null}
          {nav('/queues', 'Queues')}
          {nav('/customers', 'Customers')}
          {nav('/review', 'Review')}
          {me.role !== 'executive' ? nav('/chat', 'Chat') : null}
          {me.role === 'lead' || me.role === 'manager' || me.role === 'admin' ? nav('/chat-queue', 'Chat queue') : null}
          {nav('/staffing', 'Staffing')}
          {nav('/drivers', 'Drivers')}
          {nav('/loyalty', 'Loyalty')}
          {['lead', 'manager', 'admin'].includes(me.role) ? nav('/dashboard', 'Dashboard') : null}
          {me.role === 'admin' ? nav('/settings', 'Settings') : null}
        </nav>
        <GlobalSearch />
        <div className="who">
          <Bell />
          <Link href="/account">{me.name}</Link>
          <button type="button" className="link" onClick={signOut}>Sign out</button>
        </div>
      </header>
      <main id="main">
        <DemoProgress />
        <DraftsNotice />
        <Switch>
          <Route path="/" component={MyWork} />
          <Route path="/cases/new" component={NewCase} />
          <Route path="/cases/:id">{(p) => <CasePage id={Number(p.id)} />}</Route>
          <Route path="/queues" component={Queues} />
          <Route path="/customers" component={Customers} />
          <Route path="/customers/:id">{(p) => <CustomerPage id={Number(p.id)} />}</Route>
          <Route path="/settings">{() => <Settings />}</Route>
          <Route path="/settings/:page">{(p) => <Settings page={p.page} />}</Route>
          <Route path="/review" component={Review} />
          <Route path="/loyalty" component={Loyalty} />
          <Route path="/loyalty/:tab" component={Loyalty} />
          <Route path="/account" component={Account} />
          <Route path="/chat" component={ChatDesk} />
          <Route path="/chat-queue" component={LiveQueue} />
          <Route path="/staffing" component={Staffing} />
          <Route path="/drivers" component={Drivers} />
          <Route path="/search" component={Search} />
          <Route path="/dashboard" component={Dashboard} />
          <Route path="/macros" component={Macros} />
          <Route><h1>Not found</h1><p><Link href="/">Back to My work</Link></p></Route>
        </Switch>
      </main>
    </>
  );
}
