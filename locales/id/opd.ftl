# Full names of the agencies (perangkat daerah) that handle tickets: opd-<opd id in the scripts>.
opd-disdukcapil = Dinas Kependudukan dan Pencatatan Sipil
opd-dpmptsp = Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu
opd-dinsos = Dinas Sosial
opd-dinkes = Dinas Kesehatan
opd-dlh = Dinas Lingkungan Hidup
opd-pupr = Dinas Pekerjaan Umum dan Penataan Ruang
opd-dishub = Dinas Perhubungan
opd-bpbd = Badan Penanggulangan Bencana Daerah
opd-diskominfo = Dinas Komunikasi dan Informatika
opd-pintu = Layanan Satu Pintu
