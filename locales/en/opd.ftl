# Full names of the agencies that handle tickets: opd-<opd id in the scripts>.
opd-disdukcapil = Population and Civil Registration Office (Disdukcapil)
opd-dpmptsp = Investment and One-Stop Service Office (DPMPTSP)
opd-dinsos = Social Affairs Office (Dinsos)
opd-dinkes = Health Office (Dinkes)
opd-dlh = Environment Office (DLH)
opd-pupr = Public Works and Spatial Planning Office (PUPR)
opd-dishub = Transportation Office (Dishub)
opd-bpbd = Regional Disaster Management Agency (BPBD)
opd-diskominfo = Communication and Informatics Office (Diskominfo)
opd-pintu = One-Door Service
