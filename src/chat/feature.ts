import websocket from '@fastify/websocket';
import type { Feature } from '../core/feature';
import { chatRoutes } from './routes';
import { chatPages } from './pages';
import { chatSubscribers } from './subscribers';
import { abandonLeftChats } from './service';

export const chatFeature: Feature = {
  name: 'chat',
  async pages(app) {
    // Frames of 16 KiB at most: a visitor's socket carries hellos and typing, never big data.
    await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
    await chatPages(app);
  },
  routes: chatRoutes,
  timers: { abandonLeftChats },
  subscribers: chatSubscribers,
};
