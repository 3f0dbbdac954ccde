izin_usaha_mikro-title = Izin Usaha Mikro (NIB)
izin_usaha_mikro-intro =
    Baik, Bapak/Ibu. Petugas DPMPTSP akan membantu pendaftaran Nomor Induk Berusaha (NIB) untuk usaha mikro melalui OSS.
    NIB tidak dipungut biaya. Sebelum mulai, mohon siapkan:
    - NIK pemilik usaha
    - alamat email yang aktif
    - nama dan alamat usaha
    - keterangan singkat kegiatan usaha dan besar modal usaha
izin_usaha_mikro-nik = Mohon ketik NIK Bapak/Ibu sebagai pemilik usaha (16 angka). Contoh: *6409011708900001*.
    .label = NIK
izin_usaha_mikro-nama = Mohon ketik nama lengkap Bapak/Ibu sesuai KTP-el.
    .label = Nama pemilik
izin_usaha_mikro-email =
    Mohon ketik alamat email yang aktif untuk akun OSS. Bila sudah punya akun OSS, ketik email akun tersebut.
    Contoh: *budi@gmail.com*.
    .label = Email
izin_usaha_mikro-telepon_lain =
    Petugas akan menghubungi Bapak/Ibu untuk menyelesaikan pendaftaran OSS. Bila ingin dihubungi di nomor lain selain nomor chat ini, mohon ketik nomornya. Contoh: *0812-3456-7890*.
    Bila tidak ada, ketik *lewati*.
    .label = Nomor telepon lain
izin_usaha_mikro-nama_usaha = Mohon ketik nama usaha Bapak/Ibu. Contoh: *Warung Makan Berkah*.
    .label = Nama usaha
izin_usaha_mikro-kegiatan =
    Mohon jelaskan singkat kegiatan usaha: apa yang dijual atau dikerjakan.
    Contoh: *Menjual makanan dan minuman di warung*.
    .label = Kegiatan usaha
izin_usaha_mikro-jalan = Mohon ketik alamat usaha: nama jalan dan nomor. Contoh: *Jl. Merdeka No. 12*.
    .label = Alamat usaha
izin_usaha_mikro-rt_rw =
    Mohon ketik RT dan RW alamat usaha. Contoh: *RT 003 RW 005*.
    Bila hanya ada RT, ketik RT saja, misalnya *RT 12*.
    .label = RT/RW
izin_usaha_mikro-desa_kel = Mohon ketik nama desa atau kelurahan tempat usaha. Contoh: *Nipah-Nipah*.
    .label = Desa/kelurahan
izin_usaha_mikro-kecamatan = Di kecamatan mana tempat usaha? Mohon ketik nomor pilihan.
    .label = Kecamatan
izin_usaha_mikro-kecamatan-babulu = Babulu
izin_usaha_mikro-kecamatan-penajam = Penajam
izin_usaha_mikro-kecamatan-sepaku = Sepaku
izin_usaha_mikro-kecamatan-waru = Waru
izin_usaha_mikro-kode_pos = Mohon ketik kode pos tempat usaha (5 angka). Contoh: *76144*. Bila tidak tahu, ketik *lewati*.
    .label = Kode pos
izin_usaha_mikro-modal =
    Berapa modal usaha Bapak/Ibu, di luar tanah dan bangunan?
    Mohon ketik angka rupiah tanpa titik. Contoh: *5000000* untuk lima juta rupiah.
    .label = Modal usaha (rupiah)
izin_usaha_mikro-punya_akun_oss = Apakah Bapak/Ibu sudah punya akun OSS? Ketik *ya* atau *tidak*.
    .label = Sudah punya akun OSS
izin_usaha_mikro-ringkasan = Mohon periksa kembali data permohonan NIB berikut:
