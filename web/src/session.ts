import { useQuery } from '@tanstack/react-query';
import type { Staff } from '../../src/api-types';
import { api, ApiError } from './api';

/** The signed-in staff member, or null when nobody is signed in. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api<Staff>('/auth/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}
