package proxmoxsim

// Parameter checks, from the Proxmox VE 9.1 API schema (pve-docs 9.1.3 api-viewer/apidata.js: each
// endpoint's parameters with type, minimum/maximum, enum, pattern, maxLength and format) and the format
// checks of pve-common src/PVE/JSONSchema.pm (pve-vmid, pve-node, dns-name, pve-storage-id,
// pve-configid, pve-tag, mac-addr, pve-bridge-id), pve-access-control (pve-poolid) and qemu-server
// (the net[n] and drive property strings, the boot order). The facts are restated here in our words; the
// messages are the ones Proxmox answers, because clients match on them.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// readParams flattens a JSON, form or multipart body and the query string; for an upload it returns
// the file. Proxmox takes parameters from both the query and the body.
func readParams(r *http.Request) (map[string]string, []byte, error) {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = strings.Join(v, ",")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		body, _ := io.ReadAll(r.Body)
		if len(body) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				return nil, nil, &apiError{status: 400, msg: "malformed JSON: " + err.Error()}
			}
		}
		for k, v := range m {
			switch t := v.(type) {
			case string:
				out[k] = t
			case float64:
				out[k] = strconv.FormatFloat(t, 'f', -1, 64)
			case bool:
				out[k] = map[bool]string{true: "1", false: "0"}[t]
			case nil:
			default:
				b, _ := json.Marshal(t)
				out[k] = string(b)
			}
		}
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, nil, &apiError{status: 400, msg: err.Error()}
		}
		var file []byte
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, &apiError{status: 400, msg: err.Error()}
			}
			b, _ := io.ReadAll(p)
			if p.FileName() != "" {
				out["filename"] = p.FileName()
				file = b
			} else {
				out[p.FormName()] = string(b)
			}
		}
		return out, file, nil
	default:
		_ = r.ParseForm()
		for k, v := range r.PostForm {
			out[k] = strings.Join(v, ",")
		}
	}
	return out, nil, nil
}

// param is one parameter of an endpoint's schema.
type param struct {
	typ      string // integer, boolean, string, number
	optional bool
	min, max *int64
	enum     []string
	pattern  *regexp.Regexp // anchored at both ends, as JSONSchema.pm matches it
	maxLen   int
	format   func(string) error
}

func i64(v int64) *int64 { return &v }

// schema is an endpoint's parameters; path parameters (node, vmid...) are not listed.
type schema map[string]param

// check verifies p against the schema; every parameter not in the schema is refused, as every endpoint
// here has additionalProperties 0.
func (sc schema) check(p map[string]string) *apiError {
	errs := map[string]string{}
	for name, def := range sc {
		v, ok := p[name]
		if !ok {
			if !def.optional {
				errs[name] = "property is missing and it is not optional"
			}
			continue
		}
		if msg := def.verify(v); msg != "" {
			errs[name] = msg
		}
	}
	for name := range p {
		if _, ok := sc[name]; !ok {
			errs[name] = "property is not defined in schema and the schema does not allow additional properties"
		}
	}
	if len(errs) > 0 {
		return paramError(errs)
	}
	return nil
}

func (def param) verify(v string) string {
	switch def.typ {
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Sprintf("type check ('integer') failed - got '%s'", v)
		}
		if def.min != nil && n < *def.min {
			return fmt.Sprintf("value must have a minimum value of %d", *def.min)
		}
		if def.max != nil && n > *def.max {
			return fmt.Sprintf("value must have a maximum value of %d", *def.max)
		}
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Sprintf("type check ('number') failed - got '%s'", v)
		}
	case "boolean":
		if _, ok := parseBool(v); !ok {
			return fmt.Sprintf("type check ('boolean') failed - got '%s'", v)
		}
	}
	if len(def.enum) > 0 && !contains(def.enum, v) {
		return fmt.Sprintf("value '%s' does not have a value in the enumeration '%s'", v, strings.Join(def.enum, ", "))
	}
	if def.maxLen > 0 && len(v) > def.maxLen {
		return fmt.Sprintf("value may only be %d characters long", def.maxLen)
	}
	if def.pattern != nil && !def.pattern.MatchString(v) {
		return "value does not match the regex pattern"
	}
	if def.format != nil {
		if err := def.format(v); err != nil {
			return "invalid format - " + err.Error()
		}
	}
	return ""
}

// parseBool accepts what JSONSchema.pm's parse_boolean accepts.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "1", "on", "yes", "true":
		return true, true
	case "0", "off", "no", "false":
		return false, true
	}
	return false, false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

var (
	reVMID       = regexp.MustCompile(`^[1-9][0-9]{2,8}$`)
	reNodeName   = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)
	reDNSName    = regexp.MustCompile(`^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$`)
	reStorageID  = regexp.MustCompile(`^(?i)[a-z][a-z0-9\-_.]*[a-z0-9]$`)
	reConfigID   = regexp.MustCompile(`^(?i)[a-z][a-z0-9_-]+$`)
	reTag        = regexp.MustCompile(`^(?i)[a-z0-9_][a-z0-9_\-+.]*$`)
	reMAC        = regexp.MustCompile(`^(?i)[a-f0-9][02468ace](:[a-f0-9]{2}){5}$`)
	reBridge     = regexp.MustCompile(`^[-_.\w\d]+$`)
	rePool       = regexp.MustCompile(`^[A-Za-z0-9.\-_]+(/[A-Za-z0-9.\-_]+){0,2}$`)
	reResizeSize = regexp.MustCompile(`^\+?\d+(\.\d+)?[KMGT]?$`)
	reDriveKey   = regexp.MustCompile(`^(ide[0-3]|sata[0-5]|scsi([0-9]|[12][0-9]|30)|virtio([0-9]|1[0-5])|efidisk0|tpmstate0)$`)
	reNetKey     = regexp.MustCompile(`^net([0-9]|[1-9][0-9]*)$`)
)

func isDriveKey(k string) bool { return reDriveKey.MatchString(k) }

func fmtVMID(v string) error {
	if !reVMID.MatchString(v) {
		return fmt.Errorf("value does not look like a valid VM ID")
	}
	return nil
}

func fmtNode(v string) error {
	if !reNodeName.MatchString(v) {
		return fmt.Errorf("value does not look like a valid node name")
	}
	return nil
}

func fmtDNSName(v string) error {
	if !reDNSName.MatchString(v) {
		return fmt.Errorf("value does not look like a valid DNS name")
	}
	return nil
}

func fmtStorageID(v string) error {
	if len(v) < 2 {
		return fmt.Errorf("storage ID '%s' cannot be shorter than 2 characters", v)
	}
	if !reStorageID.MatchString(v) {
		return fmt.Errorf("storage ID '%s' contains illegal characters", v)
	}
	return nil
}

func fmtConfigID(v string) error {
	if !reConfigID.MatchString(v) {
		return fmt.Errorf("invalid configuration ID '%s'", v)
	}
	return nil
}

func fmtPool(v string) error {
	if !rePool.MatchString(v) {
		return fmt.Errorf("pool name '%s' contains invalid characters", v)
	}
	return nil
}

// splitList splits a Proxmox list value (separators: ';', ',', whitespace), as PVE::Tools::split_list.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

func fmtTagList(v string) error {
	for _, t := range splitList(v) {
		if !reTag.MatchString(t) {
			return fmt.Errorf("invalid characters in tag")
		}
	}
	return nil
}

func fmtConfigIDList(v string) error {
	for _, t := range splitList(v) {
		if err := fmtConfigID(t); err != nil {
			return err
		}
	}
	return nil
}

// Endpoint schemas (the parameters besides the path's node/vmid/storage).
var (
	cloneSchema = schema{
		"newid":       {typ: "integer", min: i64(100), max: i64(999999999), format: fmtVMID},
		"name":        {typ: "string", optional: true, format: fmtDNSName},
		"description": {typ: "string", optional: true},
		"format":      {typ: "string", optional: true, enum: []string{"raw", "qcow2", "vmdk"}},
		"full":        {typ: "boolean", optional: true},
		"pool":        {typ: "string", optional: true, format: fmtPool},
		"snapname":    {typ: "string", optional: true, maxLen: 40, format: fmtConfigID},
		"storage":     {typ: "string", optional: true, format: fmtStorageID},
		"target":      {typ: "string", optional: true, format: fmtNode},
		"bwlimit":     {typ: "integer", optional: true, min: i64(0)},
	}
	resizeSchema = schema{
		"disk":     {typ: "string", format: func(v string) error { return enumOf(v, reDriveKey, "disk") }},
		"size":     {typ: "string", pattern: reResizeSize},
		"digest":   {typ: "string", optional: true, maxLen: 40},
		"skiplock": {typ: "boolean", optional: true},
	}
	startSchema = schema{
		"skiplock": {typ: "boolean", optional: true}, "timeout": {typ: "integer", optional: true, min: i64(0)},
		"machine": {typ: "string", optional: true}, "force-cpu": {typ: "string", optional: true},
		"migratedfrom": {typ: "string", optional: true, format: fmtNode}, "migration_network": {typ: "string", optional: true},
		"migration_type": {typ: "string", optional: true, enum: []string{"secure", "insecure"}},
		"stateuri":       {typ: "string", optional: true, maxLen: 128}, "targetstorage": {typ: "string", optional: true},
		"nets-host-mtu": {typ: "string", optional: true}, "with-conntrack-state": {typ: "boolean", optional: true},
	}
	stopSchema = schema{
		"skiplock": {typ: "boolean", optional: true}, "timeout": {typ: "integer", optional: true, min: i64(0)},
		"keepActive": {typ: "boolean", optional: true}, "migratedfrom": {typ: "string", optional: true, format: fmtNode},
		"overrule-shutdown": {typ: "boolean", optional: true},
	}
	destroySchema = schema{
		"skiplock": {typ: "boolean", optional: true}, "purge": {typ: "boolean", optional: true},
		"destroy-unreferenced-disks": {typ: "boolean", optional: true},
	}
	nextIDSchema = schema{"vmid": {typ: "integer", optional: true, min: i64(100), max: i64(999999999), format: fmtVMID}}
	uploadSchema = schema{
		"content":            {typ: "string", enum: []string{"iso", "vztmpl", "import"}},
		"filename":           {typ: "string", maxLen: 255},
		"checksum":           {typ: "string", optional: true},
		"checksum-algorithm": {typ: "string", optional: true, enum: []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}},
		"tmpfilename":        {typ: "string", optional: true},
	}
	resourcesSchema   = schema{"type": {typ: "string", optional: true, enum: []string{"vm", "storage", "node", "sdn"}}}
	storageListSchema = schema{
		"content": {typ: "string", optional: true}, "enabled": {typ: "boolean", optional: true},
		"format": {typ: "boolean", optional: true}, "storage": {typ: "string", optional: true, format: fmtStorageID},
		"target": {typ: "string", optional: true, format: fmtNode},
	}
	contentDeleteSchema = schema{"delay": {typ: "integer", optional: true, min: i64(1), max: i64(30)}}
	noParams            = schema{}
)

func enumOf(v string, re *regexp.Regexp, what string) error {
	if !re.MatchString(v) {
		return fmt.Errorf("value '%s' is not a valid %s name", v, what)
	}
	return nil
}

// configParams are the VM options of POST /nodes/{node}/qemu/{vmid}/config that the simulator models:
// those CAPMOX v0.9.0 and go-proxmox v0.6.0 send. Proxmox knows many more; a request with one of them is
// answered "not modelled by the simulator" (501), never with a claim about Proxmox.
var configParams = schema{
	"sockets":          {typ: "integer", optional: true, min: i64(1)},
	"cores":            {typ: "integer", optional: true, min: i64(1)},
	"vcpus":            {typ: "integer", optional: true, min: i64(1)},
	"memory":           {typ: "string", optional: true, format: fmtMemory},
	"description":      {typ: "string", optional: true, maxLen: 8192},
	"name":             {typ: "string", optional: true, format: fmtDNSName},
	"tags":             {typ: "string", optional: true, format: fmtTagList},
	"boot":             {typ: "string", optional: true, format: fmtBoot},
	"delete":           {typ: "string", optional: true, format: fmtConfigIDList},
	"digest":           {typ: "string", optional: true, maxLen: 40},
	"skiplock":         {typ: "boolean", optional: true},
	"background_delay": {typ: "integer", optional: true, min: i64(1), max: i64(30)},
	"smbios1":          {typ: "string", optional: true, maxLen: 512},
}

// checkConfigParams verifies a VM config update. net[n] and drive keys are checked as property strings.
func checkConfigParams(p map[string]string) *apiError {
	errs := map[string]string{}
	var unmodelled []string
	for k, v := range p {
		switch {
		case reNetKey.MatchString(k):
			if _, err := parseNet(v); err != nil {
				errs[k] = "invalid format - " + err.Error()
			}
		case isDriveKey(k):
			if _, err := parseDrive(v); err != nil {
				errs[k] = "invalid format - " + err.Error()
			}
		default:
			def, ok := configParams[k]
			if !ok {
				unmodelled = append(unmodelled, k)
				continue
			}
			if msg := def.verify(v); msg != "" {
				errs[k] = msg
			}
		}
	}
	if len(errs) > 0 {
		return paramError(errs)
	}
	if len(unmodelled) > 0 {
		sort.Strings(unmodelled)
		return &apiError{status: 501, msg: "VM option(s) " + strings.Join(unmodelled, ", ") + " not modelled by the simulator"}
	}
	if len(p) == 0 {
		return fail("no options specified")
	}
	return nil
}

// fmtMemory: "[current=]<integer>", the amount of RAM in MiB, at least 16.
func fmtMemory(v string) error {
	cur := strings.TrimPrefix(v, "current=")
	n, err := strconv.Atoi(cur)
	if err != nil {
		return fmt.Errorf("format error current: type check ('integer') failed - got '%s'", cur)
	}
	if n < 16 {
		return fmt.Errorf("format error current: value must have a minimum value of 16")
	}
	return nil
}

// fmtBoot: "order=<device>[;<device>...]" with disk or NIC names (the legacy letters too).
func fmtBoot(v string) error {
	if regexp.MustCompile(`^[acdn]{1,4}$`).MatchString(v) {
		return nil
	}
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(part, "=")
		if !ok || (k != "order" && k != "legacy") {
			return fmt.Errorf("format error %s: property is not defined in schema and the schema does not allow additional properties", part)
		}
		if k == "order" {
			for _, dev := range strings.Split(val, ";") {
				if !isDriveKey(dev) && !reNetKey.MatchString(dev) {
					return fmt.Errorf("format error order: invalid boot device '%s'", dev)
				}
			}
		}
	}
	return nil
}

// netModels are the NIC models of the net[n] format.
var netModels = []string{"e1000", "e1000-82540em", "e1000-82544gc", "e1000-82545em", "e1000e", "i82551", "i82557b",
	"i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "rtl8139", "virtio", "vmxnet3"}

// nic is a parsed net[n] value.
type nic struct {
	model, mac, bridge string
	tag, mtu           int
	rest               []string // other checked keys, kept as given
}

// parseNet parses "model[=mac],bridge=..,tag=..,mtu=..": the model is the default key and may carry
// the MAC; bridge is pve-bridge-id; tag 1..4094; mtu 1..65520; queues 0..64.
func parseNet(v string) (*nic, error) {
	n := &nic{}
	for i, part := range strings.Split(v, ",") {
		k, val, hasVal := strings.Cut(part, "=")
		if i == 0 && contains(netModels, k) {
			n.model = k
			if hasVal {
				if !reMAC.MatchString(val) {
					return nil, fmt.Errorf("format error macaddr: value does not look like a valid unicast MAC address")
				}
				n.mac = strings.ToUpper(val)
			}
			continue
		}
		if !hasVal {
			return nil, fmt.Errorf("format error: value without key, but schema does not define a default key (%s)", part)
		}
		switch k {
		case "model":
			if !contains(netModels, val) {
				return nil, fmt.Errorf("format error model: value '%s' does not have a value in the enumeration", val)
			}
			n.model = val
		case "macaddr":
			if !reMAC.MatchString(val) {
				return nil, fmt.Errorf("format error macaddr: value does not look like a valid unicast MAC address")
			}
			n.mac = strings.ToUpper(val)
		case "bridge":
			if !reBridge.MatchString(val) {
				return nil, fmt.Errorf("format error bridge: invalid bridge ID '%s'", val)
			}
			n.bridge = val
		case "tag":
			t, err := strconv.Atoi(val)
			if err != nil || t < 1 || t > 4094 {
				return nil, fmt.Errorf("format error tag: value must be an integer from 1 to 4094")
			}
			n.tag = t
		case "mtu":
			m, err := strconv.Atoi(val)
			if err != nil || m < 1 || m > 65520 {
				return nil, fmt.Errorf("format error mtu: value must be an integer from 1 to 65520")
			}
			n.mtu = m
		case "queues":
			q, err := strconv.Atoi(val)
			if err != nil || q < 0 || q > 64 {
				return nil, fmt.Errorf("format error queues: value must be an integer from 0 to 64")
			}
			n.rest = append(n.rest, part)
		case "firewall", "link_down":
			if _, ok := parseBool(val); !ok {
				return nil, fmt.Errorf("format error %s: type check ('boolean') failed - got '%s'", k, val)
			}
			n.rest = append(n.rest, part)
		case "rate", "trunks":
			n.rest = append(n.rest, part)
		default:
			return nil, fmt.Errorf("format error %s: property is not defined in schema and the schema does not allow additional properties", k)
		}
	}
	if n.model == "" {
		return nil, fmt.Errorf("format error model: property is missing and it is not optional")
	}
	return n, nil
}

// String prints a NIC as Proxmox stores it: model=MAC first, then the other keys in order.
func (n *nic) String() string {
	parts := []string{n.model + "=" + n.mac}
	if n.bridge != "" {
		parts = append(parts, "bridge="+n.bridge)
	}
	if n.mtu != 0 {
		parts = append(parts, fmt.Sprintf("mtu=%d", n.mtu))
	}
	parts = append(parts, n.rest...)
	if n.tag != 0 {
		parts = append(parts, fmt.Sprintf("tag=%d", n.tag))
	}
	return strings.Join(parts, ",")
}

// drive is a parsed disk or CD-ROM value ("<volume>,media=cdrom,size=10G,...").
type drive struct {
	file, media, size string
	rest              []string
}

func parseDrive(v string) (*drive, error) {
	d := &drive{media: "disk"}
	for i, part := range strings.Split(v, ",") {
		k, val, hasVal := strings.Cut(part, "=")
		if i == 0 && (!hasVal || k == "file") {
			if k == "file" {
				part = val
			}
			if part != "none" && part != "cdrom" && !strings.HasPrefix(part, "/") && !strings.Contains(part, ":") {
				return nil, fmt.Errorf("format error file: unable to parse volume ID '%s'", part)
			}
			d.file = part
			continue
		}
		switch k {
		case "media":
			if val != "cdrom" && val != "disk" {
				return nil, fmt.Errorf("format error media: value '%s' does not have a value in the enumeration 'cdrom, disk'", val)
			}
			d.media = val
		case "size":
			d.size = val
		default:
			d.rest = append(d.rest, part)
		}
	}
	if d.file == "" {
		return nil, fmt.Errorf("format error file: property is missing and it is not optional")
	}
	return d, nil
}
