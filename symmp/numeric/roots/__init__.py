"""Every root of a square quadratic system, and certificates that it has no real one.

:mod:`.forms` (systems as coefficient arrays, their algebra mod p),
:mod:`.template` (elimination templates decided exactly mod p),
:mod:`.family` (a reduced lrnn family's template and samples, once per allocation),
:mod:`.action_matrix` (all complex roots by one batched eigenproblem),
:mod:`.certificate` (positive-definite combinations: no real root) and
:mod:`.real` (which computed roots are tried as real points);
for systems beyond the quadratic families, :mod:`.path_tracker` (batched
predictor-corrector paths with failure statuses) and
:mod:`.parameter_homotopy` (a family's generic instance solved by monodromy,
then N paths per trial).
"""
