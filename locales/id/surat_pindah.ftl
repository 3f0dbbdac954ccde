surat_pindah-title = Surat Pindah
surat_pindah-intro =
    Baik, Bapak/Ibu. Layanan surat pindah tidak dipungut biaya.
    Sebelum mulai, mohon siapkan:
    - foto Kartu Keluarga
    - alamat lengkap tujuan pindah
    - bila pindah datang ke Penajam Paser Utara: foto Surat Keterangan Pindah WNI (SKPWNI) dari daerah asal
    Anggota keluarga yang ikut pindah akan dicocokkan petugas dengan KK.
surat_pindah-jenis = Apa jenis kepindahan Bapak/Ibu? Mohon ketik nomor pilihan.
    .label = Jenis pindah
surat_pindah-jenis-keluar = Pindah keluar dari Kabupaten Penajam Paser Utara
surat_pindah-jenis-dalam_kabupaten = Pindah di dalam Kabupaten Penajam Paser Utara
surat_pindah-jenis-datang = Pindah datang ke Kabupaten Penajam Paser Utara
surat_pindah-nik = Mohon ketik NIK Bapak/Ibu (16 angka). Contoh: *6409011708900001*.
    .label = NIK
surat_pindah-no_kk = Mohon ketik nomor Kartu Keluarga (16 angka). Contoh: *6409012005150003*.
    .label = Nomor KK
surat_pindah-jalan = Mohon ketik alamat tujuan pindah: nama jalan dan nomor rumah. Contoh: *Jl. Merdeka No. 12*.
    .label = Alamat tujuan
surat_pindah-rt_rw =
    Mohon ketik RT dan RW alamat tujuan. Contoh: *RT 003 RW 005*.
    Bila hanya ada RT, ketik RT saja, misalnya *RT 12*.
    .label = RT/RW
surat_pindah-desa_kel = Mohon ketik nama desa atau kelurahan tujuan. Contoh: *Nipah-Nipah*.
    .label = Desa/kelurahan
surat_pindah-kecamatan = Di kecamatan mana alamat tujuan? Mohon ketik nomor pilihan.
    .label = Kecamatan
surat_pindah-kecamatan-babulu = Babulu
surat_pindah-kecamatan-penajam = Penajam
surat_pindah-kecamatan-sepaku = Sepaku
surat_pindah-kecamatan-waru = Waru
surat_pindah-kecamatan_luar = Mohon ketik nama kecamatan tujuan. Contoh: *Balikpapan Kota*.
    .label = Kecamatan
surat_pindah-kabupaten_kota = Mohon ketik nama kabupaten atau kota tujuan. Contoh: *Kota Balikpapan*.
    .label = Kabupaten/kota
surat_pindah-provinsi = Mohon ketik nama provinsi tujuan. Contoh: *Kalimantan Timur*.
    .label = Provinsi
surat_pindah-kode_pos = Mohon ketik kode pos alamat tujuan (5 angka). Contoh: *76144*. Bila tidak tahu, ketik *lewati*.
    .label = Kode pos
surat_pindah-alasan = Apa alasan utama kepindahan? Mohon ketik nomor pilihan.
    .label = Alasan pindah
surat_pindah-alasan-pekerjaan = Pekerjaan
surat_pindah-alasan-pendidikan = Pendidikan
surat_pindah-alasan-keamanan = Keamanan
surat_pindah-alasan-kesehatan = Kesehatan
surat_pindah-alasan-perumahan = Perumahan
surat_pindah-alasan-keluarga = Keluarga
surat_pindah-alasan-lainnya = Lainnya
surat_pindah-jumlah_ikut =
    Berapa anggota keluarga yang ikut pindah, tidak termasuk Bapak/Ibu sendiri?
    Mohon ketik angka 0 sampai 10. Bila pindah sendiri, ketik *0*.
    .label = Anggota keluarga yang ikut
surat_pindah-foto_skpwni =
    Mohon kirim foto Surat Keterangan Pindah WNI (SKPWNI) dari daerah asal.
    Pastikan seluruh halaman terlihat dan tulisannya jelas terbaca.
    .label = Foto SKPWNI
surat_pindah-foto_kk =
    Mohon kirim foto Kartu Keluarga.
    Pastikan seluruh halaman terlihat dan tulisannya jelas terbaca.
    .label = Foto KK
surat_pindah-ringkasan = Mohon periksa kembali data permohonan surat pindah berikut:
