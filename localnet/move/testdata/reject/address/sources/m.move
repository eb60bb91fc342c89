module unassigned::m {}
