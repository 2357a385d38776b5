package proxmoxsim

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	diskfs "github.com/diskfs/go-diskfs"
)

// ISOFiles reads the named files from a nocloud ISO (ISO 9660, as go-proxmox writes it with
// go-diskfs): CAPMOX puts the bootstrap data (the Talos machine config) in user-data and the
// static addresses in network-config. Missing files are left out.
func ISOFiles(iso []byte, names ...string) (map[string][]byte, error) {
	if len(iso) == 0 {
		return nil, fmt.Errorf("no ISO mounted")
	}
	f, err := os.CreateTemp("", "proxmoxsim-*.iso")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(iso); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	d, err := diskfs.Open(f.Name(), diskfs.WithOpenMode(diskfs.ReadOnly))
	if err != nil {
		return nil, fmt.Errorf("opening the ISO: %w", err)
	}
	defer d.Close()
	fs, err := d.GetFilesystem(0)
	if err != nil {
		return nil, fmt.Errorf("reading the ISO filesystem: %w", err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		rf, err := fs.OpenFile(filepath.Join("/", n), os.O_RDONLY)
		if err != nil {
			continue
		}
		b, err := io.ReadAll(rf)
		rf.Close()
		if err != nil {
			return nil, err
		}
		out[n] = b
	}
	return out, nil
}
