package ledger

import "sync"

// blockCacheSize is how many decoded blocks read back from the log stay
// cached: readers paging through old history read block after block.
const blockCacheSize = 64

// blockCache keeps the transactions of recently read blocks, evicting the
// least recently used.
type blockCache struct {
	mu    sync.Mutex
	items map[uint64]*cacheItem
	tick  uint64
}

type cacheItem struct {
	txns []*Txn
	used uint64
}

// get returns block height's transactions, loading them on a miss.
func (c *blockCache) get(height uint64, load func() ([]*Txn, error)) ([]*Txn, error) {
	c.mu.Lock()
	c.tick++
	if it, ok := c.items[height]; ok {
		it.used = c.tick
		c.mu.Unlock()
		return it.txns, nil
	}
	c.mu.Unlock()
	txns, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = make(map[uint64]*cacheItem)
	}
	if len(c.items) >= blockCacheSize {
		var oldest uint64
		first := true
		for h, it := range c.items {
			if first || it.used < c.items[oldest].used {
				oldest, first = h, false
			}
		}
		delete(c.items, oldest)
	}
	c.items[height] = &cacheItem{txns: txns, used: c.tick}
	return txns, nil
}
