// The store's services as the front end knows them: one entry each, keyed by the store's own
// service name (`postgres`, `redis`, `rabbit`; `carstore` for the store itself). Every other name
// a service has in the API (its status probe, its fault target) and in the page (title,
// technology) is read from here, never written again elsewhere.

export const SERVICES = [
  {
    name: 'postgres', probe: 'orders', target: 'database', title: 'Database', tech: 'PostgreSQL',
    role: 'Orders, order items and the outbox',
    figures: (b) => [['Orders', b.count], ['Pending', b.pending], ['Outbox backlog', b.outbox_backlog]],
  },
  {
    name: 'redis', probe: 'redis', target: 'cache', title: 'Cache', tech: 'Redis',
    role: 'Carts and the catalog cache',
    figures: () => [],
  },
  {
    name: 'rabbit', probe: 'rabbit', target: 'queue', title: 'Queue', tech: 'RabbitMQ',
    role: 'Order events for the order processor',
    figures: (b) => [['Queue', b.queue], ['Messages', b.messages], ['Consumers', b.consumers], ['Dead-lettered', b.dead_lettered]],
  },
  {
    name: 'carstore', title: 'Store', tech: 'carstore', itself: true,
    role: 'The web store, checkout and the order worker',
    figures: () => [],
  },
];

export const BACKING = SERVICES.filter((s) => !s.itself);

/** A service by its name; undefined for a name the store does not have. */
export const byName = (name) => SERVICES.find((s) => s.name === name);

/** The service a fault target acts on: the processor and the store's routes are the store's own. */
export const byTarget = (target) => SERVICES.find((s) => s.target === target) ?? byName('carstore');

export const HEALTH_LABEL = { up: 'Up', starting: 'Starting', degraded: 'Degraded', down: 'Down', embedded: 'Embedded', draining: 'Draining' };
