# Kernel template (tangent): never imported by itself.
#
# Its text is appended, after the model's kernels and solvers.py, to a module
# built by CompiledSystem.extension("tangent.py"); rhs, jac, jac_p, jac_diag,
# rhs_block, ... and the helpers of solvers.py are module globals there.
