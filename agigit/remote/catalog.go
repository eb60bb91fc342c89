package remote

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// catalog is the local record of manifests, by the id of the object they
// rebuild (for a private object, the plaintext id, which its manifest event
// does not show), and of the objects a push has finished storing.
//
//	.agigit/state/manifests/<object id>  JSON list of manifest events
//	.agigit/state/pushed/<object id>     the manifest event id, once stored
type catalog struct{ r *repo.Repo }

func (c catalog) get(id merkle.ID) ([]*nostr.Event, error) {
	b, err := c.r.ReadState("manifests/" + id.String())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var evs []*nostr.Event
	if err := json.Unmarshal(b, &evs); err != nil {
		return nil, nil // a damaged record is rebuilt by the next fetch
	}
	return evs, nil
}

// add records a manifest event for an object; known events are skipped.
func (c catalog) add(id merkle.ID, ev *nostr.Event) error {
	evs, err := c.get(id)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if e.ID == ev.ID {
			return nil
		}
	}
	evs = append(evs, ev)
	b, err := json.Marshal(evs)
	if err != nil {
		return err
	}
	return c.r.WriteState("manifests/"+id.String(), b)
}

func (c catalog) pushed(id merkle.ID) string {
	b, err := c.r.ReadState("pushed/" + id.String())
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (c catalog) markPushed(id merkle.ID, eventID string) error {
	return c.r.WriteState("pushed/"+id.String(), []byte(eventID+"\n"))
}

// forget drops the pushed mark of an object whose shards turned out to be
// gone.
func (c catalog) forget(id merkle.ID) {
	os.Remove(c.r.StatePath("pushed", id.String()))
}
