package proxmoxsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Task is a Proxmox worker task (a UPID): it runs for a while, then stops with "OK" or an error.
type Task struct {
	UPID, Node, Type, ID string
	VMID                 int
	Start, End           time.Time // End is when it stopped (zero while running)
	ExitStatus           string
}

// Running reports whether the task has not stopped yet.
func (t *Task) Running() bool { return t.End.IsZero() }

// TaskFault makes matching tasks fail: a task of Type (qmclone, qmconfig, resize, qmstart, qmstop,
// qmdestroy, imgcopy) on a VM whose ID is in [FromVMID, ToVMID] stops with Message as its exit status,
// Count times (0: every time). The task's work is not done (a failed clone leaves no VM behind, as
// Proxmox's clone cleans up after itself).
type TaskFault struct {
	Type             string
	FromVMID, ToVMID int
	Count            int
	Message          string
	hits             int
}

// InjectTaskFault adds a fault; the returned function removes it.
func (s *Sim) InjectTaskFault(f TaskFault) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fp := &f
	s.faults = append(s.faults, fp)
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, x := range s.faults {
			if x == fp {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				return
			}
		}
	}
}

// faultFor returns the message of a fault that matches (and counts the hit), or "".
func (s *Sim) faultFor(typ string, vmid int) string {
	for _, f := range s.faults {
		if f.Type == typ && vmid >= f.FromVMID && vmid <= f.ToVMID && (f.Count == 0 || f.hits < f.Count) {
			f.hits++
			return f.Message
		}
	}
	return ""
}

// Tasks returns copies of every task so far, in the order they were created.
func (s *Sim) Tasks() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Task, 0, len(s.order))
	for _, u := range s.order {
		out = append(out, *s.tasks[u])
	}
	return out
}

// lockTimeout is how long a worker waits for the per-VM config lock (PVE::AbstractConfig lock_config).
const lockTimeout = 10 * time.Second

// startTask registers a task and runs work after it took dur, after any task that holds the VM's
// config lock (vm may be nil for tasks that do not lock a VM). work runs under s.mu and returns an
// error (the exit status) and an optional hook to call after the lock is released. s.mu is held.
func (s *Sim) startTask(node, typ string, vmid int, vm *VM, dur time.Duration, work func() (func(), error)) string {
	now := time.Now()
	s.pid++
	id := ""
	if vmid > 0 {
		id = strconv.Itoa(vmid)
	}
	// UPID:node:pid:pstart:starttime:type:id:user: (hex fields), as PVE::Tools::upid_encode writes it.
	upid := fmt.Sprintf("UPID:%s:%08X:%08X:%08X:%s:%s:%s:", node, s.pid, s.pid*7, now.Unix(), typ, id, strings.SplitN(s.opts.TokenID, "!", 2)[0])
	t := &Task{UPID: upid, Node: node, Type: typ, ID: id, VMID: vmid, Start: now}
	s.tasks[upid] = t
	s.order = append(s.order, upid)

	begin := now
	if vm != nil && vm.busyUntil.After(now) {
		begin = vm.busyUntil
	}
	if begin.Sub(now) > lockTimeout {
		time.AfterFunc(lockTimeout, func() {
			s.mu.Lock()
			t.End, t.ExitStatus = time.Now(), fmt.Sprintf("can't lock file '/var/lock/qemu-server/lock-%d.conf' - got timeout", vmid)
			s.mu.Unlock()
		})
		return upid
	}
	end := begin.Add(dur)
	if vm != nil {
		vm.busyUntil = end
	}
	fault := s.faultFor(typ, vmid)
	time.AfterFunc(end.Sub(now), func() {
		s.mu.Lock()
		var after func()
		var err error
		if fault != "" {
			err = fmt.Errorf("%s", fault)
			if typ == "qmclone" {
				// clone_vm removes the new VM's volumes and config when the clone fails.
				s.dropVM(vmid)
			}
		} else {
			after, err = work()
		}
		t.End = time.Now()
		t.ExitStatus = "OK"
		if err != nil {
			t.ExitStatus = err.Error()
		}
		s.mu.Unlock()
		if after != nil {
			after()
		}
	})
	return upid
}

// taskStatus answers GET /nodes/{node}/tasks/{upid}/status.
func (s *Sim) taskStatus(node, upid string) (any, error) {
	t := s.tasks[upid]
	if t == nil || t.Node != node {
		return nil, fail("unable to parse worker upid '%s'", upid)
	}
	out := map[string]any{"upid": t.UPID, "node": t.Node, "type": t.Type, "id": t.ID, "user": strings.SplitN(s.opts.TokenID, "!", 2)[0],
		"starttime": t.Start.Unix(), "pid": s.pid, "pstart": s.pid * 7, "status": "running"}
	if !t.End.IsZero() {
		out["status"], out["exitstatus"] = "stopped", t.ExitStatus
	}
	return out, nil
}

func (d TaskTimes) withDefaults() TaskTimes {
	def := DefaultTaskTimes
	pick := func(v, dv time.Duration) time.Duration {
		if v == 0 {
			return dv
		}
		if v < 0 {
			return 0
		}
		return v
	}
	return TaskTimes{
		FullClonePerGiB: pick(d.FullClonePerGiB, def.FullClonePerGiB), LinkedClone: pick(d.LinkedClone, def.LinkedClone),
		Config: pick(d.Config, def.Config), Resize: pick(d.Resize, def.Resize), Start: pick(d.Start, def.Start),
		Stop: pick(d.Stop, def.Stop), Destroy: pick(d.Destroy, def.Destroy), Upload: pick(d.Upload, def.Upload),
	}
}
